"""Admin for education content: edit pages with their FAQ and references, and preview them as patients see them.

Every save goes through services so the edit is protected from `load_content` and cached pages are refreshed.
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from clinic.core.admin import RefreshOnWriteAdminMixin

from . import selectors, services, views
from .models import FaqItem, Page, Reference
from .rendering import render_markdown


class ContentAdmin(RefreshOnWriteAdminMixin, admin.ModelAdmin):
    """A save or delete from the admin, one object or a selection, refreshes the cached pages like any other edit."""

    def changed(self) -> None:
        services.content_changed()


class FaqItemInline(admin.StackedInline):
    model = FaqItem
    extra = 0
    fields = ("question", "answer", "order")


@admin.register(Page)
class PageAdmin(ContentAdmin):
    list_display = ("title", "kind", "region", "is_published", "edited_in_admin", "reviewed_on", "updated_at")
    list_filter = ("kind", "region", "is_published", "edited_in_admin")
    search_fields = ("title", "slug", "keywords", "summary")
    prepopulated_fields = {"slug": ("title",)}
    filter_horizontal = ("related", "references")
    readonly_fields = ("preview_link", "body_preview", "edited_in_admin", "updated_at")
    inlines = [FaqItemInline]
    fieldsets = (
        (None, {"fields": ("title", "slug", "kind", "region", "is_published", "order")}),
        ("Text", {"fields": ("summary", "body", "preview_link", "body_preview")}),
        ("Search engines", {"fields": ("meta_description", "keywords")}),
        ("Medical review", {"fields": ("reviewed_by", "reviewed_on")}),
        ("Links", {"fields": ("related", "references")}),
        ("History", {"fields": ("edited_in_admin", "updated_at")}),
    )

    @admin.display(description="Body as patients see it (last saved version)")
    def body_preview(self, page):
        if not page.pk:
            return "Save the page to see a preview."
        # Rendered and sanitised by the same code as the public page.
        return mark_safe(f'<div class="edu-admin-preview">{render_markdown(page.body).html}</div>')

    @admin.display(description="Full preview")
    def preview_link(self, page):
        if not page.pk:
            return "-"
        url = reverse("admin:education_page_preview", args=[page.pk])
        return format_html('<a href="{}" target="_blank" rel="noopener">Open the page as patients see it</a>', url)

    def get_urls(self):
        preview = self.admin_site.admin_view(self.preview_view)
        return [path("<int:pk>/preview/", preview, name="education_page_preview"), *super().get_urls()]

    def preview_view(self, request, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        detail = selectors.page_preview(pk)
        if detail is None:
            raise Http404("No such page")
        return views.render_page(request, detail, preview=True)

    def saved(self, request, form) -> None:
        # Runs after the page and its FAQ inlines are saved: one place that sees the whole edit.
        services.page_record_admin_edit(page=form.instance)


@admin.register(Reference)
class ReferenceAdmin(ContentAdmin):
    list_display = ("authors", "year", "title", "journal", "doi")
    search_fields = ("authors", "title", "journal", "doi", "key")
