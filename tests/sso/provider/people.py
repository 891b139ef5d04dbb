"""The people of the test (and demo) identity provider "Demo Institute". Each signs in there
with PASSWORD. ``token`` spoils their ID token, for the tests of refusals."""

PASSWORD = "institute-password"
CLIENT_ID = "fusionforum"
CLIENT_SECRET = "fusionforum-client-secret"
DOMAIN = "institute.example"


def _person(name, email, *, verified=True, groups=(), acr="", amr=("pwd",), token=None):
    claims = {"email": email, "email_verified": verified, "name": name,
              "groups": list(groups), "amr": list(amr)}
    if acr:
        claims["acr"] = acr
    return {"claims": claims, "token": token or {}}


PEOPLE = {
    "newcomer": _person("Nadia Newcomer", f"newcomer@{DOMAIN}"),
    "existing": _person("Esther Existing", f"existing@{DOMAIN}"),
    "lead": _person("Leo Lead", f"lead@{DOMAIN}", groups=["fusion-event-leads", "staff"]),
    "organiser-mfa": _person("Olga Organiser", f"organiser@{DOMAIN}", acr="urn:institute:mfa",
                             amr=["pwd", "otp", "mfa"]),
    "organiser-pwd": _person("Oscar Organiser", f"organiser2@{DOMAIN}", amr=["pwd"]),
    "expert": _person("Erik Expert", f"expert@{DOMAIN}"),
    "unverified": _person("Una Unverified", f"unverified@{DOMAIN}", verified=False),
    "outsider": _person("Otto Outsider", "otto@elsewhere.example"),
    "expired": _person("Eve Expired", f"expired@{DOMAIN}", token={"exp_delta": -3600}),
    "wrong-issuer": _person("Ivan Issuer", f"issuer@{DOMAIN}",
                            token={"iss": "http://127.0.0.1:9/o"}),
    "wrong-nonce": _person("Nina Nonce", f"nonce@{DOMAIN}", token={"nonce": "not-yours"}),
    "wrong-audience": _person("Aude Audience", f"aud@{DOMAIN}",
                              token={"aud": "another-client"}),
}
