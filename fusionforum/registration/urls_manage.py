"""The organisers' registration desk (not the admin): lists, decisions, exports, check-in."""

urlpatterns = []
