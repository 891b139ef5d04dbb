"""A small SAML 2.0 identity provider built on pysaml2's ``saml2.server.Server``, for the demo
("Sign in with Demo Institute", started by ``make demo``) and the tests. NOT for production: its
people and their password are in a JSON file, it answers any service provider, and it can spoil
answers on purpose (for the tests of refusals).

``python -m fusionforum.demo_idp.saml_idp DATA_DIR PORT PEOPLE_JSON``

- makes an RSA key and a self-signed certificate in DATA_DIR (once), and a second pair
  ("other") that signs the answers spoiled with ``other_key``;
- ``GET /metadata`` its metadata (entity id ``http://127.0.0.1:PORT/metadata``);
- ``GET /sso/redirect`` an AuthnRequest (redirect binding): a page asks for the address and
  password; ``POST /login`` answers with a page that posts the signed SAML response to the
  service provider's ACS (POST binding).

PEOPLE_JSON maps each address to ``{"name", "groups", "acr", "password", "spoil"}``; spoil is
one of "", "unsigned", "other_key", "expired", "audience", "destination".
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import json
import re
import sys
import threading
import uuid
from pathlib import Path
from socketserver import ThreadingMixIn
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from saml2 import BINDING_HTTP_REDIRECT
from saml2.assertion import Policy
from saml2.config import IdPConfig
from saml2.metadata import create_metadata_string
from saml2.saml import NAMEID_FORMAT_PERSISTENT, NameID
from saml2.server import Server

PASSWORD_CLASS = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"


def make_keys(data: Path, name: str) -> tuple[str, str]:
    """An RSA key and a self-signed certificate (PEM files), made once per data folder."""
    key_file, cert_file = data / f"{name}.key", data / f"{name}.crt"
    if not key_file.exists():
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import rsa
        from cryptography.x509.oid import NameOID

        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"demo idp {name}")])
        now = dt.datetime.now(dt.UTC)
        cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
                .public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now - dt.timedelta(days=1))
                .not_valid_after(now + dt.timedelta(days=3650))
                .sign(key, hashes.SHA256()))
        key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                               serialization.PrivateFormat.TraditionalOpenSSL,
                                               serialization.NoEncryption()))
        cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return str(key_file), str(cert_file)


def idp_config(base: str, key_file: str, cert_file: str) -> IdPConfig:
    config = IdPConfig()
    config.load({
        "entityid": f"{base}/metadata",
        "service": {"idp": {
            "name": "Demo Institute",
            "endpoints": {"single_sign_on_service": [(f"{base}/sso/redirect",
                                                      BINDING_HTTP_REDIRECT)]},
            "name_id_format": [NAMEID_FORMAT_PERSISTENT],
            "want_authn_requests_signed": False,
        }},
        "key_file": key_file,
        "cert_file": cert_file,
        "metadata": {},
        "accepted_time_diff": 60,
    })
    return config


PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">
<title>{title}</title><style>body{{font-family:sans-serif;max-width:30rem;margin:2rem auto;
padding:0 1rem}} label,input,button{{display:block;margin:.3rem 0;font-size:1rem}}
input{{width:100%;box-sizing:border-box;padding:.4rem}}</style></head>
<body><main><h1>{title}</h1>{body}</main></body></html>"""


class IdentityProvider:
    def __init__(self, data: Path, base: str, people: dict):
        self.base = base
        self.people = {email.lower(): person for email, person in people.items()}
        self.server = Server(config=idp_config(base, *make_keys(data, "idp")))
        self.other = Server(config=idp_config(base, *make_keys(data, "other")))
        self.pending: dict[str, dict] = {}
        self.lock = threading.Lock()

    # WSGI ----------------------------------------------------------------------------------------

    def __call__(self, environ, start_response):
        path, method = environ.get("PATH_INFO", ""), environ["REQUEST_METHOD"]
        try:
            if path == "/metadata":
                return self._reply(start_response, "200 OK", self.metadata(),
                                   "application/samlmetadata+xml")
            if path == "/sso/redirect" and method == "GET":
                query = {key: values[0] for key, values
                         in parse_qs(environ.get("QUERY_STRING", "")).items()}
                return self._reply(start_response, "200 OK", self.login_page(query))
            if path == "/login" and method == "POST":
                size = int(environ.get("CONTENT_LENGTH") or 0)
                form = {key: values[0] for key, values
                        in parse_qs(environ["wsgi.input"].read(size).decode()).items()}
                status, body = self.login(form)
                return self._reply(start_response, status, body)
            return self._reply(start_response, "404 Not Found", "not found", "text/plain")
        except Exception as exc:  # a test provider: say what went wrong
            return self._reply(start_response, "400 Bad Request", f"{exc!r}", "text/plain")

    @staticmethod
    def _reply(start_response, status, body, content_type="text/html"):
        data = body.encode()
        start_response(status, [("Content-Type", f"{content_type}; charset=utf-8"),
                                ("Content-Length", str(len(data)))])
        return [data]

    # Pages ---------------------------------------------------------------------------------------

    def metadata(self) -> str:
        return create_metadata_string(None, config=self.server.config, valid=24 * 365).decode()

    def login_page(self, query: dict, error: str = "", ticket: str = "") -> str:
        if not ticket:
            request = self.server.parse_authn_request(query["SAMLRequest"],
                                                      BINDING_HTTP_REDIRECT)
            message = request.message
            ticket = uuid.uuid4().hex
            with self.lock:
                self.pending[ticket] = {
                    "id": message.id, "sp": message.issuer.text,
                    "acs": message.assertion_consumer_service_url,
                    "relay_state": query.get("RelayState", "")}
        people = "".join(f"<li>{html.escape(email)}</li>" for email in sorted(self.people))
        body = (f'<p role="alert">{html.escape(error)}</p>' if error else "") + f"""
<form method="post" action="/login"><input type="hidden" name="ticket" value="{ticket}">
<label for="email">E-mail address</label><input id="email" name="email" type="email"
 autocomplete="username" required>
<label for="password">Password</label><input id="password" name="password" type="password"
 autocomplete="current-password" required>
<button type="submit">Sign in at Demo Institute</button></form>
<h2>Demo accounts</h2><ul>{people}</ul>"""
        return PAGE.format(title="Demo Institute: sign in", body=body)

    def login(self, form: dict) -> tuple[str, str]:
        ticket = form.get("ticket", "")
        with self.lock:
            pending = self.pending.get(ticket)
        if pending is None:
            return "400 Bad Request", PAGE.format(title="Demo Institute",
                                                  body="<p>This sign-in is over.</p>")
        email = form.get("email", "").strip().lower()
        person = self.people.get(email)
        if person is None or form.get("password") != person.get("password"):
            return "200 OK", self.login_page({}, "Wrong address or password.", ticket)
        with self.lock:
            self.pending.pop(ticket, None)
        saml_response = self.answer(pending, email, person)
        body = f"""<form method="post" action="{html.escape(pending['acs'])}">
<input type="hidden" name="SAMLResponse" value="{html.escape(saml_response)}">
<input type="hidden" name="RelayState" value="{html.escape(pending['relay_state'])}">
<p>Signed in at Demo Institute.</p><button type="submit">Continue</button></form>
<script>document.forms[0].submit()</script>"""
        return "200 OK", PAGE.format(title="Demo Institute", body=body)

    def answer(self, pending: dict, email: str, person: dict) -> str:
        """The base64 SAML response for this person, signed (or spoiled as the person says)."""
        spoil = person.get("spoil", "")
        server = self.other if spoil == "other_key" else self.server
        identity = {"mail": [email], "displayName": [person.get("name", email)],
                    "eduPersonEntitlement": list(person.get("groups", []))}
        name_id = NameID(format=NAMEID_FORMAT_PERSISTENT, text=person.get("subject", email),
                         name_qualifier=server.config.entityid, sp_name_qualifier=pending["sp"])
        lifetime = {"minutes": -10} if spoil == "expired" else {"minutes": 5}
        policy = Policy({"default": {"lifetime": lifetime}}, mds=server.metadata)
        authn = {"class_ref": person.get("acr") or PASSWORD_CLASS,
                 "authn_auth": server.config.entityid}
        response = server.create_authn_response(
            identity, in_response_to=pending["id"],
            destination=("http://127.0.0.1:9/elsewhere/" if spoil == "destination"
                         else pending["acs"]),
            sp_entity_id=("https://elsewhere.invalid/sp" if spoil == "audience"
                          else pending["sp"]),
            name_id=name_id, authn=authn, release_policy=policy,
            sign_assertion=True, sign_response=False)
        xml = str(response)
        if spoil == "unsigned":
            xml = re.sub(r"<(\w+:)?Signature\b.*?</(\w+:)?Signature>", "", xml, flags=re.S)
        return base64.b64encode(xml.encode()).decode()


class _Threading(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def main(argv):
    data, port, people_file = Path(argv[0]), int(argv[1]), Path(argv[2])
    data.mkdir(parents=True, exist_ok=True)
    base = f"http://127.0.0.1:{port}"
    app = IdentityProvider(data, base, json.loads(people_file.read_text()))
    httpd = make_server("127.0.0.1", port, app, server_class=_Threading, handler_class=_Quiet)
    print("ready", flush=True)
    httpd.serve_forever()


if __name__ == "__main__":
    main(sys.argv[1:])
