"""Who may configure single sign-on: the platform administrators only."""

import rules

is_platform_admin = rules.is_superuser

rules.add_perm("sso.manage_providers", is_platform_admin)
for _action in ("view", "add", "change", "delete"):
    rules.add_perm(f"sso.{_action}_identityprovider", is_platform_admin)
rules.add_perm("sso.view_link", is_platform_admin)
rules.add_perm("sso.delete_link", is_platform_admin)
