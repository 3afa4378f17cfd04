"""``geonames names …``: romanize place names (GB/T 16159) and check them against the naming rules."""

from __future__ import annotations

import click

from geonames.cli import LazyGroup, params
from geonames.cli.common import (
    Progress,
    crs_option,
    encoding_option,
    finish,
    layer_option,
    out_option,
    quiet_option,
)
from geonames.errors import GeonamesError


@click.group(cls=LazyGroup)
def names() -> None:
    """Place names: GB/T 16159 romanization and the naming rules (大 洋 怪 重).

    \b
    geonames names romanize 重庆市渝中区解放碑街道
    geonames names lint villages.csv --out report-names
    """


@names.command()
@click.argument("name", nargs=-1, type=params.NAME)
@click.option("--input", "input_path", type=click.Path(), default=None,
              help="CSV with a column of names to romanize (instead of NAME arguments).")
@click.option("--column", default=None,
              help="Column of --input holding the names (default: name, 名称, 标准名称 …).")
@click.option("--code-column", default=None,
              help="Column of --input with a division code, for readings that differ by "
                   "province (圩 is wei in Jiangsu and Anhui, xu elsewhere).")
@click.option("--output", type=click.Path(dir_okay=False), default=None,
              help="CSV to write: the input columns plus romanization, pinyin_key, initials, transcription.")
@click.option("--tones", is_flag=True, help="Write tone marks (Chóngqìng Shì).")
@click.option("--code", default=None, help="Division code of the NAME arguments (see "
                                           "--code-column).")
@encoding_option
def romanize(name: tuple[str, ...], input_path: str | None, column: str | None,
             code_column: str | None, output: str | None, tones: bool, code: str | None,
             encoding: str | None) -> int:
    """Romanize place names after GB/T 16159-2012.

    Proper and generic parts apart and capitalised, one-syllable modifiers joined, levels
    split, autonomous areas with each people's name, apostrophes before a/o/e; place-name
    readings (长治 Changzhi, 六安 Lu'an, 蚌埠 Bengbu …) from the readings table first.
    Prints a header row, then one tab-separated line per name: the name, its
    romanization, its pinyin key and initials.
    Names in autonomous areas (from --code or a level of the name) get a note on stderr:
    the standard form transcribed from the minority language with its source (日喀则市
    Xigazê Shi), or that the romanization is Hanyu pinyin of the Chinese form, not a
    transcription. Traditional characters are read as simplified (長沙 Changsha).

    \b
    Examples:
      geonames names romanize 重庆市渝中区解放碑街道 六安 单县
      geonames names romanize --tones 西安
      geonames names romanize --input villages.csv --column name --output villages-pinyin.csv
    """
    from geonames.names.io import romanize_file
    from geonames.names.romanize import romanize as romanize_name

    if input_path is not None:
        if name:
            raise GeonamesError("give NAME arguments or --input, not both")
        if output is None:
            raise GeonamesError("--input needs --output (the CSV to write)")
        count = romanize_file(input_path, column, output, tones=tones, code_col=code_column,
                              encoding=encoding)
        click.echo(f"{count:,} names romanized: {output}", err=True)
        return 0
    if not name:
        raise GeonamesError("give one or more names, or --input CSV --output CSV")
    if code is not None:
        from geonames.divisions.codes import parse_code

        parse_code(code)
    click.echo("name\tromanization\tpinyin_key\tinitials")
    for item in name:
        r = romanize_name(item, tones=tones, code=code)
        click.echo(f"{item}\t{r.text}\t{r.key}\t{r.initials}")
        if r.note:
            click.echo(f"  {item}: {r.note}", err=True)
    return 0


def _scopes(values: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for value in values:
        level, sep, scope = value.partition("=")
        if not sep or not level.strip() or not scope.strip():
            raise GeonamesError(f"--scope {value!r}: write LEVEL=SCOPE, e.g. village=county")
        out[level.strip()] = scope.strip()
    return out


@names.command()
@click.argument("names_path", metavar="NAMES", type=click.Path())
@click.option("--name-col", default=None,
              help="Column with the names (default: name, 名称, 标准名称, 地名 …).")
@click.option("--code-col", default=None,
              help="Column with division codes (default: code, 代码, 区划代码 … when present). "
                   "The code gives the level and the area the scope is counted in.")
@click.option("--level-col", default=None,
              help="Column with the level of each name (province … village, road, residential, "
                   "or 省 县 乡 村 路 …); default: from the code and the generic term.")
@click.option("--pinyin-col", default=None,
              help="Column with given romanizations, compared with GB/T 16159 "
                   "(name.romanization).")
@click.option("--category-col", default=None,
              help="Column with GB/T 18521 category codes, compared with the generic term.")
@click.option("--id-col", default=None,
              help="Column with ids for the findings (default: the codes, else row numbers).")
@click.option("--rules", "rules_path", type=click.Path(), default=None,
              help="TOML file laid over the default rules (geonames/data/naming_rules.toml): "
                   "scopes, word lists, exemptions, severities.")
@click.option("--scope", "scope_values", multiple=True, metavar="LEVEL=SCOPE",
              help="Override one scope, e.g. --scope village=county --scope township=province. "
                   "Scopes: nation, province, prefecture, county, township.")
@click.option("--codes", "codes_mode", type=click.Choice(["auto", "own", "parent"]),
              default="auto", show_default=True,
              help="own: each code is the place's own division code (statistical code tables); "
                   "parent: the code of the division it lies in (roads, residential areas).")
@layer_option
@encoding_option
@crs_option
@out_option()
@quiet_option
def lint(names_path: str, name_col: str | None, code_col: str | None, level_col: str | None,
         pinyin_col: str | None, category_col: str | None, id_col: str | None,
         rules_path: str | None, scope_values: tuple[str, ...], codes_mode: str,
         layer: str | None, encoding: str | None, crs: str | None, out_dir: str,
         quiet: bool) -> int:
    """Check place names against the naming rules; write the report.

    \b
    Findings: name.duplicate and name.homophone (within the scope of the level: by default
    the 1986 rule — county names nationally, townships within a county, villages within a
    township, streets within a town), name.exaggerated (大), name.foreign (洋), name.odd (怪),
    name.generic_mismatch (generic term vs code range, level or category), name.rare_char
    (outside the 通用规范汉字表), name.romanization (--pinyin-col), name.bad_code, name.empty.
    NAMES is a CSV (UTF-8 or GB18030) or any vector file; with geometries the findings are
    also written to findings.gpkg.

    \b
    Examples:
      geonames names lint nbs2023-villages-chongqing.csv --out report-names
      geonames names lint nbs2023-villages-chongqing.csv --scope village=county
      geonames names lint roads.csv --name-col 名称 --code-col 所在乡镇代码 --codes parent
    """
    from geonames.names.io import load_rules, names_report

    progress = Progress(quiet)
    rules = load_rules(rules_path, _scopes(scope_values))
    own = {"auto": None, "own": True, "parent": False}[codes_mode]
    report = names_report(names_path, name_col=name_col, code_col=code_col,
                          level_col=level_col, pinyin_col=pinyin_col,
                          category_col=category_col, id_col=id_col, rules=rules,
                          own_codes=own, layer=layer, encoding=encoding, user_crs=crs,
                          progress=progress)
    progress(f"writing the report to {out_dir}")
    return finish(report, out_dir, quiet)
