import time

from oauth2_provider.oauth2_validators import OAuth2Validator


class Validator(OAuth2Validator):
    # Every claim of the profile, whatever the scope (the platform asks for what it needs).
    oidc_claim_scope = None

    def get_additional_claims(self, request):
        return dict(request.user.idp_profile.claims)

    def get_id_token_dictionary(self, token, token_handler, request):
        claims, expiration = super().get_id_token_dictionary(token, token_handler, request)
        spoil = request.user.idp_profile.token
        if "iss" in spoil:
            claims["iss"] = spoil["iss"]
        if "exp_delta" in spoil:
            claims["exp"] = int(time.time()) + int(spoil["exp_delta"])
            claims["iat"] = claims["exp"] - 300
        if "nonce" in spoil:
            claims["nonce"] = spoil["nonce"]
        if "aud" in spoil:
            claims["aud"] = spoil["aud"]
        return claims, expiration
