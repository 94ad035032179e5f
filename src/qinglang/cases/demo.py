"""Demo content for cases: fictional enterprises, accounts and people of 清溪市 only.

Called by ``qinglang demo_data`` after the departments and users exist. Idempotent: it does
nothing when the demo operation is already there. Everything goes through the services, so the
history, the audit chain and the statistics are exactly what real use would produce.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from qinglang.cases import services
from qinglang.cases.categories import active_categories, ensure_categories
from qinglang.cases.models import (
    CaseAction,
    JointMeeting,
    JointOperation,
    OutreachActivity,
    OutreachIssue,
    Report,
    Task,
)
from qinglang.org.models import Department, User

OPERATION = "清朗·清溪优化营商网络环境专项行动"
ENTERPRISES = [
    "清溪星河科技有限公司",
    "清溪海丝食品有限公司",
    "清溪云帆物流有限公司",
    "清溪石笋陶瓷有限公司",
    "清溪青禾农业发展有限公司",
    "清溪远航鞋服有限公司",
]
BASIS = "《网络信息内容生态治理规定》第六条、第三十四条"


def _leads() -> list[tuple[str, str, str, str, str]]:
    # category, account, platform, url, description
    return [
        (
            "EXTORT.DELETE_FEE",
            "清溪爆料君",
            "示例微博",
            "https://weibo.example.com/u/qxbl/p/101",
            "账号发布“星河科技产品致癌”不实消息后，私信企业索要五万元“删帖费”。",
        ),
        (
            "SMEAR.ASTROTURF",
            "溪城财经观察等12个账号",
            "示例论坛",
            "https://bbs.example.com/t/5521",
            "多个新注册账号在两小时内集中发布相同内容，称海丝食品“资金链断裂、即将倒闭”。",
        ),
        (
            "PRIVACY.IMPERSONATION",
            "云帆物流官方客服",
            "示例短视频",
            "https://video.example.com/@yunfan-kf",
            "假冒云帆物流客服账号，以“理赔”为名诱导用户转账。",
        ),
    ]


def _report(category: str, account: str, platform: str, url: str, text: str, source: str) -> Report:
    data = services.ReportInput(
        description=text,
        category_id=active_categories().get(code=category).pk,
        target_url=url,
        target_account=account,
        platform=platform,
        source=source,
        source_ref="演示数据",
        reporter_kind="enterprise",
        contact_name="企业联络人（演示）",
        contact_phone="13800000000",
    )
    report, _code = services.submit_report(data, raw={"demo": True})
    return report


def _cases(duty: User, police: Department, market: Department, operation: JointOperation) -> None:
    today = timezone.localdate()
    sources = ["public", "alert", "estation"]
    reports = [_report(*lead, source=src) for lead, src in zip(_leads(), sources, strict=True)]
    titles = ["清溪爆料君有偿删帖案", "多账号集中抹黑海丝食品案", "假冒云帆物流客服案"]
    cases = [services.open_case(r, duty, title=t) for r, t in zip(reports, titles, strict=True)]
    for case in cases[:2]:
        case.operation = operation
        case.save(update_fields=["operation"])
        services.set_status(case, "triaged", duty, reason="线索属实，属于涉企网络乱象")
        services.assign(case, duty, lead=police, co_departments=[market], reason="涉嫌违法，交公安网安牵头")
        services.set_status(case, "investigating", duty, reason="调取账号注册与发布记录")
    first, second = cases[0], cases[1]
    services.record_action(
        first,
        duty,
        CaseAction(
            kind="interview",
            principal="清溪爆料君",
            taken_on=today - timedelta(days=3),
            attendees="账号运营者（演示人物）；市网信办、市公安局网安支队各1人",
            minutes="约谈账号运营者，责令删除不实信息、停止索要删帖费并公开致歉。",
            response="已删除并致歉",
        ),
        [("EV-DEMO-0001", "")],
    )
    services.record_action(
        first,
        duty,
        CaseAction(
            kind="filed",
            principal="清溪爆料君",
            taken_on=today - timedelta(days=1),
            legal_basis="《治安管理处罚法》",
            filed_number="清公网立字〔2026〕001号（演示）",
        ),
    )
    services.set_status(first, "action_taken", duty, reason="已约谈并立案查处", legal_basis=BASIS)
    services.record_action(
        second,
        duty,
        CaseAction(
            kind="takedown",
            principal="溪城财经观察",
            platform="示例论坛",
            taken_on=today,
            letter=services.takedown_letter(second, "溪城财经观察", "示例论坛", ["https://bbs.example.com/t/5521"]),
        ),
    )
    services.record_action(
        second,
        duty,
        CaseAction(
            kind="warning",
            principal="溪城财经观察",
            taken_on=today,
            legal_basis=BASIS,
        ),
    )


def _meeting_and_outreach(office: Department, police: Department, operation: JointOperation) -> None:
    meeting = JointMeeting.objects.create(
        title="网络执法联席会议（演示）",
        department=office,
        operation=operation,
        held_on=timezone.localdate(),
        agenda="通报涉企网络乱象线索；部署专项行动",
        attendees="网信、公安、教育、民族宗教、民政部门联络员",
        minutes="会议议定两项任务。",
    )
    meeting.departments.add(police)
    Task.objects.create(
        title="核查“溪城财经观察”等账号的实际控制人", department=police, meeting=meeting, operation=operation
    )
    Task.objects.create(
        title="走访辖区重点民营企业，收集涉企网络侵权线索", department=office, meeting=meeting, operation=operation
    )
    forum = OutreachActivity.objects.create(
        kind="forum",
        title="民营企业网络营商环境座谈会（演示）",
        department=office,
        held_on=timezone.localdate(),
        enterprises="\n".join(ENTERPRISES),
        summary="企业反映自媒体“黑嘴”敲诈和搜索联想词问题。",
    )
    OutreachIssue.objects.create(activity=forum, enterprise=ENTERPRISES[1], issue="搜索本企业名称时联想词出现“倒闭”。")


@transaction.atomic
def load_demo() -> str:
    if JointOperation.objects.filter(name=OPERATION).exists():
        return "cases: demo already loaded"
    ensure_categories()
    office = Department.objects.filter(code="office").first()
    police = Department.objects.filter(code="police").first()
    market = Department.objects.filter(code="market").first()
    duty = User.objects.filter(username="caseworker").first() or User.objects.filter(username="duty").first()
    if not (office and police and market and duty):
        return "cases: demo skipped (load the demo departments and users first)"
    operation = JointOperation.objects.create(
        name=OPERATION,
        department=office,
        starts_on=timezone.localdate().replace(month=1, day=1),
        description="联合公安、市场监管、工商联整治涉企网络“黑嘴”、有偿删帖和假冒仿冒。",
    )
    operation.departments.add(police, market)
    _cases(duty, police, market, operation)
    _meeting_and_outreach(office, police, operation)
    return "cases: 3 reports, 3 cases, 4 actions, 1 joint operation, 1 meeting, 1 forum"
