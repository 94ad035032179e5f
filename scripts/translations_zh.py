"""Fill and compile the zh-Hans catalogue: ``make messages``.

Source strings are English (Django's convention); the Chinese text lives in the .po file, which
this script keeps complete from the table below and compiles to .mo with polib, so a machine
without GNU gettext can still build it. New strings: add them to ZH, run ``make messages``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polib

PO = Path(__file__).resolve().parent.parent / "src/qinglang/locale/zh_Hans/LC_MESSAGES/django.po"

ZH = {
    "Audit log": "审计日志",
    "sequence": "序号",
    "time": "时间",
    "actor": "操作人",
    "actor name": "操作人账号",
    "action": "操作",
    "target type": "对象类型",
    "target id": "对象编号",
    "detail": "详情",
    "address": "地址",
    "audit entry": "审计记录",
    "audit entries": "审计记录",
    "audit chain head": "审计链头",
    "Chain intact: %(n)s entries verified.": "审计链完整：已校验 %(n)s 条记录。",
    "Chain broken at entry %(seq)s: %(reason)s": "审计链在第 %(seq)s 条断裂：%(reason)s",
    "Latest entries": "最新记录",
    "Time": "时间",
    "Actor": "操作人",
    "Action": "操作",
    "Target": "对象",
    "Address": "IP 地址",
    "Platform": "平台",
    "Dashboard": "工作台",
    "Too many failed sign-in attempts. Please wait 15 minutes and try again.": "登录失败次数过多，请 15 分钟后再试。",
    "heartbeat": "心跳",
    "name": "名称",
    "revoked": "已吊销",
    "API token": "API 令牌",
    "API tokens": "API 令牌",
    "Background worker": "后台任务进程",
    "Scheduler": "定时调度器",
    "running": "运行中",
    "not running": "未运行",
    "last heartbeat %(age)s s ago": "上次心跳 %(age)s 秒前",
    "no heartbeat yet": "尚无心跳",
    "Workbench": "工作台",
    "My account": "我的账号",
    "Name": "姓名",
    "Role": "角色",
    "Department": "部门",
    "(none)": "（无）",
    "Platform status": "平台状态",
    "Modules": "功能模块",
    "Monitoring, evidence, joint enforcement and e-stations appear here as they are switched on.":
        "舆情监测、网络取证、执法联动、网信通服务e站等模块启用后将显示在这里。",
    "Audited actions, last 7 days": "近 7 日审计操作数",
    "Sign in": "登录",
    "User name": "用户名",
    "Password": "密码",
    "Organisation": "组织机构",
    "code": "代码",
    "kind": "类型",
    "parent": "上级部门",
    "active": "启用",
    "department": "部门",
    "departments": "部门",
    "display name": "显示名称",
    "role": "角色",
    "user": "用户",
    "users": "用户",
    "Cyberspace affairs office": "网信办",
    "Public security (cyber police)": "公安网安",
    "Education": "教育",
    "Ethnic and religious affairs": "民族宗教",
    "Civil affairs": "民政",
    "Market regulation": "市场监管",
    "Federation of industry and commerce": "工商联",
    "Town e-station": "镇网信通服务e站",
    "Village e-station": "村网信通服务e站",
    "Enterprise": "企业",
    "Other": "其他",
    "Administrator": "管理员",
    "Duty officer": "值班员",
    "Analyst": "舆情分析员",
    "Case officer": "执法办案员",
    "Department liaison": "部门联络员",
    "Station staff": "e站工作人员",
    "Enterprise reporter": "企业举报人",
    "Access denied": "无权访问",
    "Your department or role does not allow this page. The attempt has been recorded.":
        "您所在部门或角色无权访问此页面，本次访问已记录。",
    "Back to the workbench": "返回工作台",
    "Page not found": "页面不存在",
    "Cyberspace affairs platform": "网信工作平台",
    "Menu": "菜单",
    "Administration": "后台管理",
    "API": "接口",
    "Sign out": "退出",
    "Qinglang — open platform for a clean and healthy cyberspace": "清朗 — 营造清朗网络空间的开放平台",
}


def main() -> int:
    po = polib.pofile(str(PO))
    po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
    po.metadata["Language"] = "zh_Hans"
    po.metadata["Plural-Forms"] = "nplurals=1; plural=0;"
    missing = []
    for entry in po:
        if entry.msgid in ZH:
            entry.msgstr = ZH[entry.msgid]
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
        elif not entry.msgstr:
            missing.append(entry.msgid)
    po.save()
    po.save_as_mofile(str(PO.with_suffix(".mo")))
    if missing:
        print("untranslated (add them to scripts/translations_zh.py):", *missing, sep="\n  ", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
