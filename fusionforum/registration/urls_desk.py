"""Registration desk: lists, decisions, waiting list, exports, imports, e-mail templates."""

urlpatterns = []
