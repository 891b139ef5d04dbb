from django.contrib import admin, messages

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

    @admin.display(description="to")
    def recipients(self, obj):
        return ", ".join(obj.to)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description="Deliver the selected e-mails again")
    def retry(self, request, queryset):
        count = 0
        for email in queryset.exclude(status=OutboundEmail.Status.SENT):
            services.enqueue_delivery(email.pk)
            count += 1
        self.message_user(request, f"{count} e-mail(s) queued again.", messages.SUCCESS)
