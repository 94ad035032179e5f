from django.contrib import admin

from qinglang.cases.models import (
    Case,
    HarmCategory,
    JointMeeting,
    JointOperation,
    OutreachActivity,
    Question,
    QuestionAnswer,
    Report,
    Task,
)


@admin.register(HarmCategory)
class HarmCategoryAdmin(admin.ModelAdmin[HarmCategory]):
    list_display = ["code", "class_zh", "name_zh", "is_active"]
    list_filter = ["is_active", "class_zh"]


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin[Case]):
    # Status is read-only here: it changes only through the pipeline, which writes the history.
    list_display = ["number", "title", "status", "department", "due_at"]
    list_filter = ["status"]
    readonly_fields = ["status", "number", "due_at", "paused_at", "closed_at"]
    search_fields = ["number", "title"]


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin[Report]):
    list_display = ["receipt_no", "source", "state", "created"]
    list_filter = ["source", "state"]
    readonly_fields = ["receipt_no", "raw", "ip"]
    search_fields = ["receipt_no", "target_url", "target_account"]


admin.site.register(JointOperation)
admin.site.register(JointMeeting)
admin.site.register(Task)


class QuestionInline(admin.TabularInline[Question, OutreachActivity]):
    model = Question
    extra = 0


@admin.register(OutreachActivity)
class OutreachActivityAdmin(admin.ModelAdmin[OutreachActivity]):
    list_display = ["title", "kind", "department", "held_on"]
    list_filter = ["kind"]
    inlines = [QuestionInline]


@admin.register(QuestionAnswer)
class QuestionAnswerAdmin(admin.ModelAdmin[QuestionAnswer]):
    list_display = ["question", "enterprise", "value", "updated"]
    search_fields = ["enterprise"]
