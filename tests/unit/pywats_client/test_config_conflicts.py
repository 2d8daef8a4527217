"""find_instance_conflicts: instances in one client home that would share a queue or a file."""

from __future__ import annotations

import itertools
import json
import types
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pywats_client.config import ClientConfig, ConverterConfig, InstanceConflict, find_instance_conflicts, instance_conflicts
from pywats_client.config import conflicts
from pywats_client.config.globs import globs_may_overlap, patterns_may_overlap


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    h = tmp_path / "home"
    h.mkdir()
    monkeypatch.setenv("PYWATS_CLIENT_HOME", str(h))
    monkeypatch.delenv("PYWATS_API_TOKEN", raising=False)
    monkeypatch.delenv("PYWATS_INSTANCE_ID", raising=False)
    return h


@pytest.fixture
def data(tmp_path: Path) -> Path:
    d = tmp_path / "data"
    d.mkdir()
    return d


def write(home: Path, instance: str, **keys: Any) -> Path:
    path = home / f"config_{instance}.json"
    path.write_text(json.dumps({"instance_id": instance, **keys}), encoding="utf-8")
    return path


def conv(name: str, watch: Path | str, **keys: Any) -> dict[str, Any]:
    return {"name": name, "module_path": "csv", "watch_folder": str(watch), **keys}


def load(instance: str) -> ClientConfig:
    return ClientConfig.load_for_instance(instance)


def real(path: Path) -> str:
    return str(path.resolve())


# ---------------------------------------------------------------- no conflict


def test_defaults_side_by_side_do_not_conflict(home: Path, data: Path) -> None:
    write(home, "default")
    write(home, "ict", converters=[conv("CSV", data / "ict", file_patterns=["*.csv"])])
    write(home, "fct", converters=[conv("CSV", data / "fct", file_patterns=["*.csv"])])
    for iid in ("default", "ict", "fct"):
        assert find_instance_conflicts(load(iid)) == []


def test_alone_in_the_home(home: Path) -> None:
    assert find_instance_conflicts(ClientConfig.defaults("ict")) == []  # not even saved yet


# ---------------------------------------------------------------- reports_folder


def test_same_reports_folder_names_both_instances_files_and_folder(home: Path, data: Path) -> None:
    ict = write(home, "ict", reports_folder=str(data / "queue"))
    fct = write(home, "fct", reports_folder=str(data / "x" / ".." / "queue"))
    [message] = find_instance_conflicts(load("ict"))
    assert "'ict'" in message and "'fct'" in message
    assert real(ict) in message and real(fct) in message
    assert real(data / "queue") in message
    assert "reports folder" in message and "queue" in message
    # and from the other side too
    assert len(find_instance_conflicts(load("fct"))) == 1


def test_relative_reports_folder_is_resolved_against_the_home(home: Path) -> None:
    write(home, "default")  # default queue: <home>/reports
    write(home, "ict", reports_folder="reports")  # relative: the same folder
    [c] = instance_conflicts(load("ict"))
    assert c.kind == "same_reports_folder"
    assert c.other_instance_id == "default"
    assert c.folder == (home / "reports").resolve()


def test_folder_case_is_ignored_on_windows_only(home: Path, data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(home, "ict", reports_folder=str(data / "Queue"))
    write(home, "fct", reports_folder=str(data / "queue"))
    assert find_instance_conflicts(load("ict")) == []  # Linux: two different folders
    monkeypatch.setattr(conflicts, "sys", types.SimpleNamespace(platform="win32"))
    assert len(find_instance_conflicts(load("ict"))) == 1


def test_symlinked_folder_is_the_same_folder(home: Path, data: Path) -> None:
    (data / "queue").mkdir()
    try:
        (data / "link").symlink_to(data / "queue", target_is_directory=True)
        other = data / "link"
    except OSError:  # Windows without the symlink privilege: the same folder spelled another way
        other = data / "queue" / ".." / "queue"
    write(home, "ict", reports_folder=str(data / "queue"))
    write(home, "fct", reports_folder=str(other))
    [c] = instance_conflicts(load("ict"))
    assert c.folder == (data / "queue").resolve()


# ---------------------------------------------------------------- same watch folder


def test_same_watch_folder_without_patterns_conflicts(home: Path, data: Path) -> None:
    ict = write(home, "ict", converters=[conv("ICT CSV", data / "in")])
    fct = write(home, "fct", converters=[conv("FCT CSV", data / "in")])
    [c] = instance_conflicts(load("ict"))
    assert isinstance(c, InstanceConflict)
    assert c.kind == "same_watch_folder"
    assert (c.instance_id, c.other_instance_id) == ("ict", "fct")
    assert (c.config_path, c.other_config_path) == (ict.resolve(), fct.resolve())
    assert c.folder == (data / "in").resolve()
    for part in ("'ict'", "'fct'", "'ICT CSV'", "'FCT CSV'", real(ict), real(fct), real(data / "in"), "twice"):
        assert part in c.message


@pytest.mark.parametrize(
    ("mine", "theirs", "conflict"),
    [
        (["*.csv"], ["*.xml"], False),
        (["*.csv"], ["*.CSV"], True),  # names are matched ignoring case
        (["ICT_*.csv"], ["*.csv"], True),
        (["ICT_*.csv"], ["FCT_*.csv"], False),
        (["*.csv", "*.txt"], ["*.xml", "*.TXT"], True),
        (["*.csv"], ["[a-z]*.xml"], True),  # character classes: not decided, reported
    ],
)
def test_same_watch_folder_depends_on_pattern_overlap(
    home: Path, data: Path, mine: list[str], theirs: list[str], conflict: bool
) -> None:
    write(home, "ict", converters=[conv("A", data / "in", file_patterns=mine)])
    write(home, "fct", converters=[conv("B", data / "in", file_patterns=theirs)])
    assert len(find_instance_conflicts(load("ict"))) == (1 if conflict else 0)


def test_class_patterns_come_from_the_resolver(home: Path, data: Path) -> None:
    write(home, "ict", converters=[conv("A", data / "in", module_path="pkg.CsvConv")])
    write(home, "fct", converters=[conv("B", data / "in", module_path="pkg.XmlConv")])

    def class_patterns(c: ConverterConfig) -> list[str] | None:
        return {"pkg.CsvConv": ["*.csv"], "pkg.XmlConv": ["*.xml"]}.get(c.module_path)

    assert len(find_instance_conflicts(load("ict"))) == 1  # unknown patterns: may overlap
    assert find_instance_conflicts(load("ict"), patterns_of=class_patterns) == []


def test_disabled_converters_do_not_conflict(home: Path, data: Path) -> None:
    write(home, "ict", converters=[conv("A", data / "in")])
    write(home, "fct", converters=[conv("B", data / "in", enabled=False)])
    write(home, "eol", converters_enabled=False, converters=[conv("C", data / "in")])
    assert find_instance_conflicts(load("ict")) == []
    assert find_instance_conflicts(load("eol")) == []


def test_two_converters_of_one_instance_in_one_folder_are_not_an_instance_conflict(home: Path, data: Path) -> None:
    # inside one instance the service picks one converter per file by priority
    write(home, "ict", converters=[conv("A", data / "in"), conv("B", data / "in")])
    assert find_instance_conflicts(load("ict")) == []


# ---------------------------------------------------------------- done/error folder watched


def test_error_folder_that_is_its_own_watch_folder_loops(home: Path, data: Path) -> None:
    path = write(home, "ict", converters=[conv("A", data / "in", error_folder=str(data / "in"))])
    [c] = instance_conflicts(load("ict"))
    assert c.kind == "output_is_watched"
    assert c.other_instance_id == "ict" and c.other_config_path == path.resolve()
    assert "error_folder" in c.message and "loop" in c.message and real(data / "in") in c.message


def test_done_folder_counts_only_when_sources_are_moved(home: Path, data: Path) -> None:
    write(home, "ict", converters=[conv("A", data / "in", done_folder=str(data / "in"), post_action="delete")])
    assert find_instance_conflicts(load("ict")) == []
    write(home, "ict", converters=[conv("A", data / "in", done_folder=str(data / "in"), post_action="move")])
    [message] = find_instance_conflicts(load("ict"))
    assert "done_folder" in message


def test_done_folder_feeding_another_converter_of_the_same_instance(home: Path, data: Path) -> None:
    write(home, "ict", converters=[conv("A", data / "raw", done_folder=str(data / "in")), conv("B", data / "in")])
    [c] = instance_conflicts(load("ict"))
    assert c.kind == "output_is_watched" and "'A'" in c.message and "'B'" in c.message


def test_done_folder_watched_by_another_instance_both_directions(home: Path, data: Path) -> None:
    ict = write(home, "ict", converters=[conv("A", data / "ict", done_folder=str(data / "fct"))])
    fct = write(home, "fct", converters=[conv("B", data / "fct", error_folder=str(data / "ict"))])
    for iid in ("ict", "fct"):
        found = instance_conflicts(load(iid))
        assert sorted(c.folder.name for c in found) == ["fct", "ict"]
        assert {c.kind for c in found} == {"output_is_watched"}
        for c in found:
            assert real(ict) in c.message and real(fct) in c.message


def test_output_of_a_disabled_converter_is_not_a_conflict(home: Path, data: Path) -> None:
    write(home, "ict", converters=[conv("A", data / "ict", done_folder=str(data / "fct"), enabled=False)])
    write(home, "fct", converters=[conv("B", data / "fct")])
    assert find_instance_conflicts(load("fct")) == []


# ---------------------------------------------------------------- watch folder is a queue


def test_watching_a_reports_folder(home: Path, data: Path) -> None:
    write(home, "ict", reports_folder=str(data / "q"), converters=[conv("A", data / "q")])
    [c] = instance_conflicts(load("ict"))
    assert c.kind == "watch_is_reports_folder" and "queue" in c.message
    write(home, "ict", converters=[conv("A", home / "reports_fct")])  # fct's default queue
    write(home, "fct")
    [c] = instance_conflicts(load("ict"))
    assert c.kind == "watch_is_reports_folder" and c.other_instance_id == "fct"


# ---------------------------------------------------------------- which files are read


def test_unloadable_configs_are_skipped(home: Path, data: Path) -> None:
    write(home, "ict", reports_folder=str(data / "q"))
    (home / "config_broken.json").write_text("{ not json", encoding="utf-8")
    write(home, "badkey", reports_folder=str(data / "q"), no_such_key=1)
    write(home, "badid", instance_id="other", reports_folder=str(data / "q"))
    (home / "config_bad name!.json").write_text(json.dumps({"reports_folder": str(data / "q")}), encoding="utf-8")
    write(home, "fct", reports_folder=str(data / "q"))
    found = instance_conflicts(load("ict"))
    assert [c.other_instance_id for c in found] == ["fct"]


def test_conflicts_between_two_other_instances_are_theirs(home: Path, data: Path) -> None:
    write(home, "ict")
    write(home, "fct", reports_folder=str(data / "q"), converters=[conv("A", data / "in", error_folder=str(data / "in"))])
    write(home, "eol", reports_folder=str(data / "q"), converters=[conv("B", data / "in")])
    assert find_instance_conflicts(load("ict")) == []
    assert len(find_instance_conflicts(load("fct"))) == 4  # queue, watch, own loop, error -> eol


def test_a_config_loaded_from_elsewhere_is_compared_with_the_home(home: Path, data: Path, tmp_path: Path) -> None:
    write(home, "ict", reports_folder=str(data / "q"))  # the same instance's home file: not "another"
    write(home, "fct", reports_folder=str(data / "q"))
    outside = tmp_path / "elsewhere.json"
    outside.write_text(json.dumps({"instance_id": "ict", "reports_folder": str(data / "q")}), encoding="utf-8")
    found = instance_conflicts(ClientConfig.load_file(outside))
    assert [c.other_instance_id for c in found] == ["fct"]
    assert found[0].config_path == outside.resolve()


def test_others_can_be_given(home: Path, data: Path) -> None:
    mine = ClientConfig.from_dict({"instance_id": "a", "reports_folder": str(data / "q")})
    theirs = ClientConfig.from_dict({"instance_id": "b", "reports_folder": str(data / "q")})
    [c] = instance_conflicts(mine, others=[theirs])
    assert c.other_instance_id == "b"


# ---------------------------------------------------------------- glob overlap


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("*.csv", "*.csv", True),
        ("*.csv", "*.xml", False),
        ("*", "*.xml", True),
        ("*.csv", "ict_*", True),
        ("a?c", "abc", True),
        ("a?c", "abd", False),
        ("a*b*c", "*bc", True),
        ("abc", "abcd", False),
        ("abc*", "abcd", True),
        ("*.Csv", "*.cSV", True),
        ("", "*", False),
        ("sub/*.csv", "*.xml", True),  # a path pattern: not decided
    ],
)
def test_globs_may_overlap(a: str, b: str, expected: bool) -> None:
    assert globs_may_overlap(a, b) is expected
    assert globs_may_overlap(b, a) is expected


def test_patterns_may_overlap_with_unknown_patterns() -> None:
    assert patterns_may_overlap(None, None)
    assert patterns_may_overlap(None, ["*.csv"])
    assert not patterns_may_overlap(["*.csv"], [])
    assert not patterns_may_overlap(["*.csv", "*.txt"], ["*.xml"])


def _all(symbols: str, max_len: int) -> list[str]:
    return ["".join(t) for n in range(max_len + 1) for t in itertools.product(symbols, repeat=n)]


def test_glob_overlap_is_exact_on_a_small_alphabet() -> None:
    # A witness, if any, is at most len(a) + len(b) characters long.
    patterns = [p for p in _all("ab*?", 3) if p]  # an empty pattern matches nothing (tested above)
    names = _all("abc", 6)
    matches = {p: frozenset(n for n in names if fnmatchcase(n, p)) for p in patterns}
    for a in patterns:
        for b in patterns:
            assert globs_may_overlap(a, b) == bool(matches[a] & matches[b]), (a, b)


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet="aB.*?_", max_size=8),
    st.text(alphabet="Ab.*?_", max_size=8),
    st.text(alphabet="aAbB._", max_size=10),
)
def test_a_name_matching_both_means_overlap(a: str, b: str, name: str) -> None:
    folded = name.casefold()
    if a and b and fnmatchcase(folded, a.casefold()) and fnmatchcase(folded, b.casefold()):
        assert globs_may_overlap(a, b)
