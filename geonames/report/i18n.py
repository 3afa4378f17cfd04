"""Words of the reports in Chinese (the default) and English (``--lang en``).

Headings, column names, severities and the names of finding codes. The finding messages
themselves come from the checks.
"""

from __future__ import annotations

LANGS = ("zh", "en")

TEXT: dict[str, dict[str, str]] = {
    "zh": {
        "report": "{check}报告",
        "summary": "概要",
        "map": "地图",
        "findings": "问题清单",
        "tables": "附表",
        "sections": "分段",
        "error": "错误",
        "warning": "警告",
        "info": "提示",
        "excepted": "已豁免",
        "open": "未豁免",
        "code": "检查项",
        "check": "检查",
        "severity": "严重程度",
        "status": "状态",
        "count": "数量",
        "id": "编号",
        "subject": "对象",
        "value": "数值",
        "limit": "限值",
        "place": "位置",
        "lonlat": "经度, 纬度",
        "zone": "平面坐标 X, Y (m)",
        "message": "说明",
        "inputs": "输入",
        "metric_crs": "量测坐标系",
        "seconds": "用时",
        "notes": "注意",
        "legend": "图例",
        "search": "搜索区划（名称或代码）",
        "no_place": "无位置",
        "no_place_note": "以下问题没有坐标，地图上无法标出：",
        "no_findings": "没有发现问题。",
        "page": "第 {page} / {pages} 页",
        "previous": "上一页",
        "next": "下一页",
        "shown": "显示 {shown} / {total} 条",
        "in_all": "共 {n} 条",
        "print_map": "总图（打印用）",
        "all": "全部",
        "crs": "坐标系",
        "scale": "比例尺",
        "details": "详细",
        "not_found": "未找到",
        "zoom_all": "全图",
        "third_party": "地图：OpenLayers {version}（BSD-2-Clause）",
        "finding": "问题",
        "layer": "图层",
        "title": "标题",
    },
    "en": {
        "report": "{check} report",
        "summary": "Summary",
        "map": "Map",
        "findings": "Findings",
        "tables": "Tables",
        "sections": "Sections",
        "error": "error",
        "warning": "warning",
        "info": "info",
        "excepted": "excepted",
        "open": "open",
        "code": "check item",
        "check": "check",
        "severity": "severity",
        "status": "status",
        "count": "count",
        "id": "id",
        "subject": "subject",
        "value": "value",
        "limit": "limit",
        "place": "place",
        "lonlat": "lon, lat",
        "zone": "zone X, Y (m)",
        "message": "message",
        "inputs": "inputs",
        "metric_crs": "metric CRS",
        "seconds": "time",
        "notes": "notes",
        "legend": "legend",
        "search": "search a division (name or code)",
        "no_place": "no place",
        "no_place_note": "These findings have no coordinates and cannot be shown on the map:",
        "no_findings": "Nothing found.",
        "page": "page {page} of {pages}",
        "previous": "previous",
        "next": "next",
        "shown": "{shown} of {total} shown",
        "in_all": "{n} in all",
        "print_map": "Overview (for print)",
        "all": "all",
        "crs": "CRS",
        "scale": "scale",
        "details": "details",
        "not_found": "not found",
        "zoom_all": "whole map",
        "third_party": "Map: OpenLayers {version} (BSD-2-Clause)",
        "finding": "finding",
        "layer": "layer",
        "title": "title",
    },
}

#: Plural headings in English ("1 error", "2 errors"); Chinese has no plural.
PLURALS = {"error": "errors", "warning": "warnings", "info": "info", "excepted": "excepted"}

CHECKS: dict[str, dict[str, str]] = {
    "zh": {"inspection": "联合检查", "coverage": "覆盖检查", "markers": "界桩检查",
           "edgematch": "接边检查", "changes": "变更检查", "lines": "界线", "names": "地名检查",
           "lint": "地名检查", "heritage": "地名文化遗产检查", "marker": "界桩",
           "change": "变更", "geometry": "几何", "division": "区划", "name": "地名",
           "history": "沿革", "establishment": "设立标准", "registry": "地名登记"},
    "en": {"inspection": "Joint inspection", "coverage": "Coverage", "markers": "Markers",
           "edgematch": "Edge-matching", "changes": "Changes", "lines": "Lines",
           "names": "Names", "lint": "Names", "heritage": "Heritage", "marker": "markers",
           "change": "changes", "geometry": "geometry", "division": "divisions",
           "name": "names", "history": "history", "establishment": "establishment",
           "registry": "register"},
}

#: Chinese names of finding codes (English shows the code itself).
CODES_ZH = {
    "coverage.gap": "缝隙",
    "coverage.gap_open": "开口缝隙",
    "coverage.overlap": "重叠",
    "coverage.sliver": "细长碎片",
    "coverage.edge_mismatch": "公共边节点不一致",
    "geometry.invalid": "几何无效",
    "division.duplicate_id": "区划代码重复",
    "division.empty": "区划无几何",
    "change.added": "新增区划",
    "change.removed": "撤销区划",
    "change.renamed": "更名",
    "change.recoded": "代码变更",
    "change.merged": "合并",
    "change.split": "拆分",
    "change.reorganised": "调整",
    "change.line_moved": "界线移动",
    "marker.bad_number": "界桩编号不规范",
    "marker.bad_record": "界桩记录有误",
    "marker.damaged": "界桩损坏",
    "marker.duplicate_number": "界桩编号重复",
    "marker.missing": "界桩缺失",
    "marker.moved": "界桩位移",
    "marker.new": "新设界桩",
    "marker.not_at_tripoint": "三交点界桩不在三交点",
    "marker.off_line": "界桩偏离界线",
    "marker.out_of_order": "界桩顺序错误",
    "marker.unpaired": "同号界桩不成对",
    "marker.wrong_line": "界桩不在所属界线",
    "edgematch.offset": "接边偏差",
    "edgematch.unmatched": "接边未匹配",
    "history.unrecorded": "变更未记录",
    "history.old_listed_after": "旧区划仍在后期名录",
    "history.new_listed_before": "新区划已在前期名录",
    "history.old_not_listed": "旧区划不在名录",
    "history.new_not_listed": "新区划不在名录",
    "name.duplicate": "重名",
    "name.homophone": "同音",
    "name.exaggerated": "夸大（大）",
    "name.foreign": "崇洋（洋）",
    "name.odd": "怪异（怪）",
    "name.rare_char": "生僻字",
    "name.generic_mismatch": "通名与层级不符",
    "name.romanization": "拼写不规范",
    "name.empty": "名称为空",
    "name.bad_code": "代码无效",
}

#: Column names of report tables, in Chinese (English shows the name, underscores as spaces).
COLUMNS_ZH = {
    "number": "编号", "type": "类型", "line": "界线", "line_b": "对方界线", "X": "X (m)",
    "Y": "Y (m)", "lon": "经度", "lat": "纬度", "status": "状态", "offset_m": "偏离 (m)",
    "shift_m": "位移 (m)", "findings": "问题", "event": "事件", "old_ids": "原代码",
    "old_names": "原名称", "new_ids": "新代码", "new_names": "新名称",
    "old_area_m2": "原面积 (m²)", "new_area_m2": "新面积 (m²)",
    "area_change_m2": "面积变化 (m²)", "area_change_pct": "面积变化 (%)",
    "offset_from_m": "偏移自 (m)", "offset_to_m": "偏移至 (m)", "border_km": "边界长度 (km)",
    "share_pct": "占比 (%)", "cumulative_pct": "累计 (%)", "note": "备注",
    "statistic": "统计量", "matched_by": "匹配方式", "hausdorff_m": "豪斯多夫距离 (m)",
    "mean_offset_m": "平均偏差 (m)", "length_a_m": "本方长度 (m)",
    "length_b_m": "对方长度 (m)", "length_difference_m": "长度差 (m)",
    "offset_stretches": "偏差段数", "change": "变更", "subject": "对象", "decision": "决定",
    "event_date": "事件日期", "event_kind": "事件类型", "match": "匹配", "confirmed": "已核实",
    "id": "代码", "name": "名称", "area_m2": "面积 (m²)", "area_km2": "面积 (km²)",
    "parent": "上级", "level": "级别", "code": "代码", "count": "数量",
    "reason": "理由", "document": "依据文件", "message": "说明", "child": "下级",
}

#: Titles of report tables in Chinese, by table name (a table's own ``titles`` come first).
TABLES_ZH = {
    "markers": "界桩坐标表", "divisions": "区划", "division_changes": "区划变更：事件与面积变化",
    "border_offsets": "两轮边界偏移（双向）", "offset_percentiles": "边界偏移百分位（按长度加权）",
    "line_comparison": "界线比对（最大距离在前）", "recorded_decisions": "区划事件与批准文件",
    "events": "已记录的区划事件", "establishment": "各项设立标准的结果",
    "entries": "受影响的名录条目", "continuity": "保护地名的连续使用",
    "scopes": "重名与同音检查的范围", "rule_counts": "各规则的问题数",
    "review": "复核：各问题的变化与状态（review.csv）", "parents": "各区划的上级区划",
}

#: Names of map layers in Chinese.
LAYERS_ZH = {
    "divisions": "区划", "boundary lines": "界线", "lines": "界线", "markers": "界桩",
    "other party": "对方界线", "side A": "甲方界线", "side B": "乙方界线",
    "new divisions": "本轮区划", "old borders": "上轮边界", "previous borders": "上轮边界",
}

#: What the report was run on, in Chinese (keys of ``Report.inputs``).
INPUTS_ZH = {
    "config": "配置文件", "divisions": "区划数据", "lines": "界线数据", "markers": "界桩数据",
    "previous_divisions": "上轮区划数据", "previous_markers": "上轮界桩数据",
    "other_party_lines": "对方界线数据", "tolerances_m": "限差 (m)", "history": "区划沿革",
    "exceptions": "已批准的例外", "old": "原数据", "new": "新数据", "side_a": "甲方数据",
    "side_b": "乙方数据", "tolerance_m": "限差 (m)", "tolerance": "限差", "kind": "类型",
    "path": "数据", "layer": "图层", "id_field": "代码字段", "name_field": "名称字段",
    "gap_width_m": "缝隙宽度 (m)", "min_area_m2": "最小面积 (m²)", "events": "事件文件",
    "revisions": "代码表", "events_read": "读入事件数", "revisions_read": "读入代码表",
    "by": "匹配方式", "names": "地名数据", "rules": "规则", "proposals": "申请",
    "exceptions_read": "读入例外数", "crs": "坐标系", "encoding": "编码",
    "tripoints": "三交点数据", "metric_crs": "量测坐标系",
    "children": "下级区划", "parents": "上级区划", "line_depth_m": "界线偏离深度上限 (m)",
}

#: Units as shown (the CSV keeps the plain unit).
UNITS = {"m2": "m²", "km2": "km²"}


def text(lang: str, key: str, **kwargs: object) -> str:
    """A word of the report in ``lang``: ``text("zh", "error") == "错误"``."""
    words = TEXT.get(lang, TEXT["zh"])
    return words[key].format(**kwargs) if kwargs else words[key]


def code_label(lang: str, code: str) -> str:
    """The name of a finding code: ``code_label("zh", "coverage.gap") == "缝隙"``."""
    if lang == "zh":
        return CODES_ZH.get(code, code)
    return code


def check_label(lang: str, check: str) -> str:
    """The name of a check (``"inspection"`` → ``"联合检查"``)."""
    return CHECKS.get(lang, CHECKS["zh"]).get(check, check)


def column_label(lang: str, column: str) -> str:
    """A table column's heading."""
    if lang == "zh":
        return COLUMNS_ZH.get(column, column)
    return column.replace("_", " ")


def table_title(lang: str, name: str, title: str, titles: dict[str, str]) -> str:
    """A table's title in ``lang``."""
    if titles.get(lang):
        return titles[lang]
    if lang == "zh":
        return TABLES_ZH.get(name, title)
    return title


def layer_label(lang: str, name: str) -> str:
    """A map layer's name: ``layer_label("zh", "line 500111500118") == "界线 500111500118"``."""
    if lang != "zh":
        return name
    if name.startswith("line "):
        return "界线 " + name[5:]
    return LAYERS_ZH.get(name, name)


def input_label(lang: str, key: str) -> str:
    """What an entry of ``Report.inputs`` is."""
    if lang == "zh":
        return INPUTS_ZH.get(key, key)
    return key.replace("_", " ")


def counted(lang: str, n: int, key: str) -> str:
    """``"3 errors"``, ``"1 error"``, ``"错误 3"``."""
    if lang == "zh":
        return f"{text(lang, key)} {n:,}"
    return f"{n:,} {key if n == 1 else PLURALS.get(key, key)}"
