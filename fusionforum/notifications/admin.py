from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from fusionforum.admin import site

from . import services
from .models import OutboundEmail


@admin.register(OutboundEmail, site=site)
class OutboundEmailAdmin(admin.ModelAdmin):
    list_display = ["subject", "recipients", "purpose", "status", "attempts", "created_at",
                    "sent_at"]
    list_filter = ["status", "purpose"]
    search_fields = ["subject", "to"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in OutboundEmail._meta.fields]
    actions = ["retry"]

    @admin.display(description=_("to"))
    def recipients(self, obj):
        return ", ".join(obj.to)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Deliver the selected e-mails again"))
    def retry(self, request, queryset):
        count = 0
        for email in queryset.exclude(status=OutboundEmail.Status.SENT):
            services.enqueue_delivery(email.pk)
            count += 1
        self.message_user(request, ngettext("%(count)s e-mail queued again.",
                                            "%(count)s e-mails queued again.", count)
                          % {"count": count}, messages.SUCCESS)
