"""The names people say for a unit, so that 本单位 finds 区发展改革委 when typed 发改 or fgw.

``SHORT_NAMES`` is an explicit, reviewable table: canonical unit name → the short forms heard in
offices and meetings (only forms that are not already part of the name: 城管 finds 区城管局
anyway). Pinyin initials (``fgw`` for 发改委) come from pypinyin (MIT, offline), loaded only when
someone first types Latin letters: importing it costs about 0.4 s, which the window's start does
not pay.
"""

from __future__ import annotations

import difflib
from functools import lru_cache

SHORT_NAMES: dict[str, tuple[str, ...]] = {
    "区发展改革委": ("发改委", "发改", "发展改革委员会", "发改局"),
    "区经济信息委": ("经信委", "经信", "经委"),
    "区住房城乡建委": ("住建委", "住建", "住建局"),
    "区人力社保局": ("人社局", "人社", "人力资源和社会保障局"),
    "区规划自然资源局": ("规资局", "规资", "规划局", "国土局"),
    "区市场监管局": ("市监局", "市场监督管理局", "工商局"),
    "区生态环境局": ("环保局", "环保", "生态局"),
    "区农业农村委": ("农委", "农业农村局"),
    "区文化旅游委": ("文旅委", "文旅"),
    "区卫生健康委": ("卫健委", "卫健", "卫生局"),
    "区大数据发展局": ("大数据局",),
    "区政务办": ("政务服务办",),
    "区公安分局": ("公安局",),
    "区商务委": ("商务局",),
    "区政府外办(区招商投资局)": ("招商局",),
    "区交通局": ("交委", "交通委"),
    "区教委": ("教育局",),
    "区科技局": ("科委",),
    "区医保局": ("医疗保障局",),
    "区金融办": ("金融局",),
    "区政府办公室": ("区府办",),
    "南岸供电公司": ("供电局", "国网南岸"),
    "东部水务公司": ("自来水公司",),
    "燃气南岸分公司": ("燃气公司", "天然气公司"),
    "区公共资源交易监管局": ("公共资源局",),
}


@lru_cache(maxsize=1024)
def initials(name: str) -> str:
    """``区发展改革委`` → ``qfzggw``; words are read as phrases (重庆 → cq, 银行 → yh)."""
    from pypinyin import Style, lazy_pinyin  # heavy: only when Latin letters are typed

    return "".join(lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore")).lower()


def spoken_forms(name: str, aliases: tuple[str, ...] = ()) -> list[str]:
    """The name, its plan aliases and its short names (Chinese forms only)."""
    return [name, *aliases, *SHORT_NAMES.get(name, ())]


def latin_forms(name: str, aliases: tuple[str, ...] = ()) -> list[str]:
    """Pinyin initials of every spoken form, with and without the leading 区 (qfgw and fgw)."""
    forms: list[str] = []
    for form in spoken_forms(name, aliases):
        letters = initials(form)
        forms.append(letters)
        if form.startswith(("区", "经开区")):
            forms.append(initials(form.removeprefix("经开区").removeprefix("区")))
    return forms


def closest(typed: str, forms: dict[str, str], limit: int = 3) -> list[str]:
    """Units whose forms look most like ``typed`` (``forms``: form → unit name)."""
    ordered: list[str] = []
    matches = difflib.get_close_matches(typed, list(forms), n=limit * 3, cutoff=0.4)
    if not matches:  # a typo inside a long name: rank by shared characters instead
        shared = sorted(forms, key=lambda f: -len(set(typed) & set(f)) / (len(f) + 1))
        matches = [f for f in shared[: limit * 3] if set(typed) & set(f)]
    for form in matches:
        if forms[form] not in ordered:
            ordered.append(forms[form])
    return ordered[:limit]
