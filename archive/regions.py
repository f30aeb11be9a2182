"""Province names by the first two digits of a GB/T 2260 administrative division code.

Why: the crawler knows a portal's region code (网站标识码 / 行政区划代码); readers facet by province name.
"""

from __future__ import annotations

PROVINCES: dict[str, str] = {
    "11": "北京市", "12": "天津市", "13": "河北省", "14": "山西省", "15": "内蒙古自治区",
    "21": "辽宁省", "22": "吉林省", "23": "黑龙江省",
    "31": "上海市", "32": "江苏省", "33": "浙江省", "34": "安徽省", "35": "福建省", "36": "江西省", "37": "山东省",
    "41": "河南省", "42": "湖北省", "43": "湖南省", "44": "广东省", "45": "广西壮族自治区", "46": "海南省",
    "50": "重庆市", "51": "四川省", "52": "贵州省", "53": "云南省", "54": "西藏自治区",
    "61": "陕西省", "62": "甘肃省", "63": "青海省", "64": "宁夏回族自治区", "65": "新疆维吾尔自治区",
    "71": "台湾省", "81": "香港特别行政区", "82": "澳门特别行政区",
}


def province_of(region_code: str | None) -> str | None:
    """The province a region code lies in, or None when the code is missing or unknown."""
    if not region_code or len(region_code) < 2:
        return None
    return PROVINCES.get(region_code[:2])
