"""Start the test identity provider: ``python -m tests.sso.provider.serve DATA_DIR PORT
REDIRECT_URI [REDIRECT_URI ...]``. Makes an RS256 signing key (once per data folder), its
database, the client "fusionforum" and the people of ``people.py``, then serves on
127.0.0.1:PORT until stopped. Prints "ready" when it accepts connections."""

import os
import sys
from pathlib import Path


def main(argv):
    data, port, redirects = Path(argv[0]), int(argv[1]), argv[2:]
    data.mkdir(parents=True, exist_ok=True)
    key = data / "signing-key.pem"
    if not key.exists():
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        key.write_bytes(private.private_bytes(serialization.Encoding.PEM,
                                              serialization.PrivateFormat.PKCS8,
                                              serialization.NoEncryption()))
    os.environ["IDP_DATA_DIR"] = str(data)
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.sso.provider.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", run_syncdb=True, verbosity=0)
    seed(port, redirects)
    from django.core.servers.basehttp import WSGIServer, run
    from django.core.wsgi import get_wsgi_application

    print("ready", flush=True)
    run("127.0.0.1", port, get_wsgi_application(), threading=True, server_cls=WSGIServer)


def seed(port, redirects):
    from django.contrib.auth.models import User
    from oauth2_provider.models import Application

    from tests.sso.provider.idp.models import Profile
    from tests.sso.provider.people import CLIENT_ID, CLIENT_SECRET, PASSWORD, PEOPLE

    Application.objects.filter(client_id=CLIENT_ID).delete()
    logout_targets = sorted({uri.split("/accounts/")[0] + "/" for uri in redirects})
    Application.objects.create(
        name="Fusion Forum", client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=" ".join(redirects), post_logout_redirect_uris=" ".join(logout_targets),
        algorithm=Application.RS256_ALGORITHM, skip_authorization=True)
    for username, person in PEOPLE.items():
        user, _ = User.objects.get_or_create(username=username)
        user.set_password(PASSWORD)
        user.save()
        Profile.objects.update_or_create(user=user, defaults=person)


if __name__ == "__main__":
    main(sys.argv[1:])
