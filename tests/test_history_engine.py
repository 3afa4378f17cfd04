"""The history engine on small made-up cases, and bad input: events files, dates, codes."""

from __future__ import annotations

from datetime import date

import pytest

from geonames.divisions.events import (
    CodeListRevision,
    DivisionEvent,
    EventKind,
    HistoryError,
    NamedCode,
    parse_when,
)
from geonames.divisions.history import DivisionLog, infer_events, proper_name, reconcile
from geonames.divisions.history_io import load_log, read_events, read_revisions, write_events_csv
from geonames.errors import GeonamesError, InputFileError


def rev(label, **codes):
    return CodeListRevision(label, parse_when(label), {c[1:]: n for c, n in codes.items()})


def kinds(events):
    return sorted((str(e.kind), e.old_codes, e.new_codes) for e in events)


# --- inference --------------------------------------------------------------------------------


def test_infer_rename_recode_reparent_and_reuse():
    revisions = [
        rev("200012", c130200="唐山市", c130203="路北区", c130221="丰润县",
            c130300="秦皇岛市", c130322="昌黎县", c130400="邯郸市", c130423="临漳县",
            c130401="甲区", c130402="乙县"),
        rev("200112", c130200="唐山市", c130203="路北新区", c130208="丰润区",
            c130300="秦皇岛市", c130400="邯郸市", c130423="临漳县", c130200_="x",
            c130222="昌黎县", c130401="乙区"),
    ]
    revisions[1].codes.pop("130200_")
    events = infer_events(revisions).events
    assert kinds(events) == [
        ("abolished", ("130401",), ()),                       # 甲区: its code reused by 乙区
        ("abolished", ("130402",), ()),                       # 乙县 → 乙区 on a reused code
        ("established", (), ("130401",)),
        ("recoded", ("130221",), ("130208",)),                # 丰润县 → 丰润区, same parent
        ("renamed", ("130203",), ("130203",)),                # 路北区 → 路北新区
        ("reparented", ("130322",), ("130222",)),             # 昌黎县 moves to 唐山市
    ]
    reuse = [e for e in events if e.kind == EventKind.ABOLISHED and e.old_codes == ("130402",)]
    assert "probably a merge" in reuse[0].note
    assert all(e.date == date(2001, 12, 1) and e.earliest == date(2001, 1, 1) for e in events)


def test_proper_names():
    assert proper_name("彭水苗族土家族自治县") == "彭水"
    assert proper_name("龙胜各族自治县") == "龙胜"
    assert proper_name("忠县") == "忠"
    assert proper_name("县") == "县"


# --- the log ------------------------------------------------------------------------------------


def test_split_translates_to_every_successor_and_back():
    log = DivisionLog([
        DivisionEvent.of("split", "2003-12-18", ["510903 市中区"],
                         ["510903 船山区", "510904 安居区"], decision="国函〔2003〕131号"),
    ])
    assert log.translate("510903", "2000-01-01", "2010-01-01") == ["510903", "510904"]
    assert log.translate("510904", "2010-01-01", "2000-01-01") == ["510903"]
    assert log.translate("510903", "2010-01-01", "2000-01-01") == ["510903"]
    (path,) = [p for i, p in log.lineage("510903", "2000-01-01", "2010-01-01")
               if i.code == "510904"]
    assert [e.decision for e in path] == ["国函〔2003〕131号"]


def test_chain_of_events_and_abolition_without_successor():
    log = DivisionLog([
        DivisionEvent.of("recoded", "2002-12", ["500181 江津市"], ["500381 江津市"]),
        DivisionEvent.of("recoded", "2006-10-22", ["500381 江津市"], ["500116 江津区"]),
        DivisionEvent.of("abolished", "2005-01", ["500999 某区"]),
    ])
    assert log.translate("500181", "2000-01-01", "2020-01-01") == ["500116"]
    assert log.translate("500116", "2020-01-01", "2000-01-01") == ["500181"]
    assert log.translate("500999", "2000-01-01", "2020-01-01") == []
    assert [d.code for d in log.as_of("2004-01-01")] == ["500381", "500999"]
    assert [d.code for d in log.as_of("2007-01-01", parent="50")] == ["500116"]


def test_reparent_without_code_change():
    # a code list that keeps the code when a county moves (GB/T 2260 would recode it)
    log = DivisionLog([DivisionEvent("reparented", date(2011, 8, 22),
                                     (NamedCode("341421", "庐江县"),),
                                     (NamedCode("341421", "庐江县", "340100"),))])
    (d,) = log.as_of("2012-01-01")
    assert d.parent_code == "340100"
    (before,) = log.as_of("2010-01-01")
    assert before.parent_code == "341400"   # from the code alone
    assert log.translate("341421", "2010-01-01", "2012-01-01") == ["341421"]


def test_reconcile_keeps_inferred_events_outside_the_window():
    inferred = infer_events([rev("201012", c500234="开县"),
                             rev("201607", c500154="开州区")]).events
    # revision 201607 after 201012: window 2011-01-01 … 2016-07-31, lists may lag a year
    far = DivisionEvent.of("recoded", "2009-06-01", ["500234 开县"], ["500154 开州区"])
    near = DivisionEvent.of("recoded", "2016-06-15", ["500234 开县"], ["500154 开州区"])
    assert len(reconcile(inferred, [near])) == 1
    assert len(reconcile(inferred, [far])) == 2   # the inferred recode is kept


# --- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize("text, message", [
    ("2010-13-01", "month must be in 1..12"),
    ("2010", "write YYYY-MM-DD"),
    ("last year", "bad date"),
    ("", "bad date"),
])
def test_bad_dates(text, message):
    with pytest.raises(HistoryError, match=message):
        parse_when(text)


@pytest.mark.parametrize("kind, old, new, message", [
    ("moved", ["500234 开县"], ["500154 开州区"], "unknown event kind 'moved'"),
    ("renamed", ["500234 开县"], ["500154 开州区"], "a rename keeps the code"),
    ("recoded", ["500234 开县"], ["500234 开州区"], "keeps its code"),
    ("renamed", ["500101 万县区"], ["500101"], "give the new name of 500101"),
    ("renamed", ["500101 万州区"], ["500101 万州区"], "keeps its name '万州区'"),
    ("merged", ["500234 开县"], ["500154 开州区"], "needs at least 2 old"),
    ("split", ["500234 开县"], ["500154 开州区"], "needs at least 2 new"),
    ("established", ["500234 开县"], ["500154 开州区"], "needs 0 old"),
    ("merged", ["500110 万盛区", "500110 万盛区"], ["500110 綦江区"], "listed twice"),
    ("recoded", ["500234 开县"], ["500154001 某街道"], "different levels"),
    ("recoded", ["5002x4 开县"], ["500154 开州区"], "digits only"),
    ("recoded", ["990234 开县"], ["500154 开州区"], "not a province code"),
])
def test_inconsistent_events(kind, old, new, message):
    with pytest.raises(HistoryError, match=message):
        DivisionEvent.of(kind, "2016-07", old, new)


def test_events_that_contradict_each_other():
    with pytest.raises(HistoryError, match="no longer exists"):
        DivisionLog([DivisionEvent.of("abolished", "2011-10", ["500222 綦江县"]),
                     DivisionEvent.of("recoded", "2012-01", ["500222 綦江县"],
                                      ["500110 綦江区"])])
    with pytest.raises(HistoryError, match="is named '綦江区' on 2012-01-01, not '綦江县'"):
        DivisionLog([DivisionEvent.of("renamed", "2011-10", ["500222 綦江县"],
                                      ["500222 綦江区"]),
                     DivisionEvent.of("abolished", "2012-01", ["500222 綦江县"])])
    with pytest.raises(HistoryError, match="is in use"):
        DivisionLog([DivisionEvent.of("recoded", "2011-10", ["500222 綦江县"],
                                      ["500110 綦江区"])],
                    baseline=[NamedCode("500110", "万盛区")])


def test_queries_on_unknown_codes_and_dates():
    log = DivisionLog([DivisionEvent.of("recoded", "2016-07", ["500234 开县"],
                                        ["500154 开州区"])])
    with pytest.raises(HistoryError, match="500999 is not in this history"):
        log.translate("500999", "2010-01-01", "2020-01-01")
    with pytest.raises(HistoryError, match="did not exist on 2010-01-01"):
        log.translate("500154", "2010-01-01", "2020-01-01")
    with pytest.raises(HistoryError, match="digits only"):
        log.history("开县")
    with pytest.raises(HistoryError, match="bad date"):
        log.as_of("2016-02-30")


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("name, text, message", [
    ("e.toml", '[[event]]\ndate = "2016-07"\nkind = "moved"\nold = ["500234 开县"]\n'
               'new = ["500154 开州区"]\n', "event #1: unknown event kind 'moved'"),
    ("e.toml", '[[event]]\ndate = "2016-07"\nknd = "recoded"\n', "unknown key(s) knd"),
    ("e.toml", '[[event]]\ndate = "2016-07-32"\nkind = "abolished"\nold = ["500234"]\n',
     "bad date '2016-07-32'"),
    ("e.toml", 'title = "x"\n', "no [[event]] tables"),
    ("e.toml", '[[event]\n', "not valid TOML"),
    ("e.toml", "", "the file is empty"),
    ("e.csv", "date,kind,old\n2016-07,abolished,500234 开县\n", "missing column(s) new"),
    ("e.csv", "date,kind,old,new\n2016-07,renamed,500234 开县,500154 开州区\n",
     "line 2: renamed event on 2016-07-01: a rename keeps the code"),
    ("e.txt", "x", "must be .toml or .csv"),
])
def test_bad_events_files(tmp_path, name, text, message):
    path = write(tmp_path, name, text)
    with pytest.raises(InputFileError) as err:
        read_events(path)
    assert message in str(err.value)


def test_csv_events_round_trip(tmp_path):
    events = [DivisionEvent.of("merged", "2011-10", ["500110 万盛区", "500222 綦江县"],
                               ["500110 綦江区"], source="GB/T 2260 revision 201110")]
    path = tmp_path / "events.csv"
    write_events_csv(events, path)
    assert read_events(path) == events


def test_bad_revisions_files(tmp_path):
    with pytest.raises(InputFileError, match="missing column"):
        read_revisions(write(tmp_path, "r.csv", "rev,code,name\n200012,500101,万州区\n"))
    with pytest.raises(InputFileError, match="line 2: revision '2000' is not YYYYMM"):
        read_revisions(write(tmp_path, "r.csv", "revision,code,name\n2000,500101,万州区\n"))
    with pytest.raises(InputFileError, match="lists 500101 twice"):
        read_revisions(write(tmp_path, "r.csv", "revision,code,name\n200012,500101,万州区\n"
                                                "200012,500101,万县区\n"))
    with pytest.raises(InputFileError, match="no such file"):
        read_revisions(tmp_path / "none.csv.gz")
    with pytest.raises(GeonamesError, match="no history to load"):
        load_log()


def test_toml_dates_and_integer_codes(tmp_path):
    path = write(tmp_path, "e.toml", '[[event]]\ndate = 2014-05-02\nkind = "recoded"\n'
                                     'old = [500227]\nnew = [{code = "500120", name = "璧山区"}]\n'
                                     '[[event]]\ndate = 2016-07-01T08:00:00\nkind = "abolished"\n'
                                     'old = ["500234"]\n')
    first, second = read_events(path)
    assert (first.date, first.old_codes, first.new[0].name) == (date(2014, 5, 2), ("500227",),
                                                                "璧山区")
    assert type(second.date) is date and second.date == date(2016, 7, 1)
