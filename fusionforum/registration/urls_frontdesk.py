"""Front desk on the day: check-in of badges."""

urlpatterns = []
