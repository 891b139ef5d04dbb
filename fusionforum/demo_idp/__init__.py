"""A small SAML 2.0 identity provider for the demo and the tests (not for production)."""
