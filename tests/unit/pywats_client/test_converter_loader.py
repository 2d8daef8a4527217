"""load_converter: built-in names, module paths, and clear errors for broken converters."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from pywats_client.converters import ConverterLoadError, FileConverter, load_converter
from pywats_client.converters.builtin.atml import ATMLConverter
from pywats_client.converters.builtin.csv import CSVConverter
from pywats_client.converters.builtin.wsjf import WSJFConverter

DATA = Path(__file__).resolve().parents[2] / "data" / "converters"
GUIDE = DATA / "guide"


@pytest.fixture
def clean_imports() -> Iterator[None]:
    """Restore sys.path and drop modules imported from converter folders after the test."""
    saved_path = list(sys.path)
    saved_modules = set(sys.modules)
    yield
    sys.path[:] = saved_path
    for name in set(sys.modules) - saved_modules:
        if not name.startswith(("pywats", "pydantic", "_pytest")):
            del sys.modules[name]


@pytest.mark.parametrize(
    ("spec", "cls"),
    [
        ("csv", CSVConverter),
        ("CSV", CSVConverter),
        ("wsjf", WSJFConverter),
        ("atml", ATMLConverter),
        ("pywats_client.converters.builtin.csv.CSVConverter", CSVConverter),
        ("pywats_client.converters.builtin.atml.ATMLConverter", ATMLConverter),
    ],
)
def test_builtin_short_and_full_names(spec: str, cls: type) -> None:
    assert load_converter(spec, ()) is cls


def test_guide_converter_without_list_import_fails_with_file_line_and_reason(
    tmp_path: Path, clean_imports: None
) -> None:
    shutil.copy(GUIDE / "published" / "csv_converter.py", tmp_path / "csv_converter.py")
    with pytest.raises(ConverterLoadError) as info:
        load_converter("csv_converter.CSVConverter", [tmp_path])
    error = info.value
    assert error.reason == "NameError: name 'List' is not defined"
    assert error.file is not None and Path(error.file) == tmp_path / "csv_converter.py"
    assert error.line == 11  # the `def file_patterns(self) -> List[str]:` line
    message = str(error)
    assert "\n" not in message
    assert message == (
        f"csv_converter.CSVConverter: NameError: name 'List' is not defined ({error.file}, line 11)"
    )


def test_guide_converter_with_list_import_loads(tmp_path: Path, clean_imports: None) -> None:
    text = (GUIDE / "published" / "csv_converter.py").read_text()
    (tmp_path / "csv_converter.py").write_text("from typing import List\n" + text)
    cls = load_converter("csv_converter.CSVConverter", [tmp_path])
    assert issubclass(cls, FileConverter)
    converter = cls()
    assert converter.name == "CSV Test Converter"
    assert converter.file_patterns == ["*.csv"]


def test_package_module_path(tmp_path: Path, clean_imports: None) -> None:
    package = tmp_path / "converters"
    package.mkdir()
    (package / "__init__.py").write_text("")
    shutil.copy(GUIDE / "fixed" / "fct_converter.py", package / "fct_converter.py")
    cls = load_converter("converters.fct_converter.FCTConverter", [tmp_path])
    assert cls.__name__ == "FCTConverter"
    assert cls().name == "FCTConverter"  # the guide's example has no name property


def test_missing_module_names_the_search_folders(tmp_path: Path, clean_imports: None) -> None:
    with pytest.raises(ConverterLoadError) as info:
        load_converter("no_such_module_xyz.Converter", [tmp_path])
    assert "ModuleNotFoundError" in info.value.reason
    assert "no_such_module_xyz" in str(info.value)
    assert str(tmp_path) in str(info.value)


def test_missing_import_inside_converter_points_at_its_line(tmp_path: Path, clean_imports: None) -> None:
    (tmp_path / "needs_lib.py").write_text(
        "from pywats_client.converters import FileConverter\nimport not_installed_lib_xyz\n"
    )
    with pytest.raises(ConverterLoadError) as info:
        load_converter("needs_lib.Conv", [tmp_path])
    assert info.value.reason.startswith("ModuleNotFoundError")
    assert info.value.line == 2
    assert Path(info.value.file or "").name == "needs_lib.py"


def test_syntax_error_reports_file_and_line(tmp_path: Path, clean_imports: None) -> None:
    (tmp_path / "broken_syntax.py").write_text("x = 1\ndef oops(:\n    pass\n")
    with pytest.raises(ConverterLoadError) as info:
        load_converter("broken_syntax.Conv", [tmp_path])
    assert info.value.reason.startswith("SyntaxError")
    assert info.value.line == 2
    assert Path(info.value.file or "").name == "broken_syntax.py"


def test_missing_class(tmp_path: Path, clean_imports: None) -> None:
    (tmp_path / "empty_mod.py").write_text("VALUE = 1\n")
    with pytest.raises(ConverterLoadError, match="has no class 'Conv'") as info:
        load_converter("empty_mod.Conv", [tmp_path])
    assert Path(info.value.file or "").name == "empty_mod.py"


def test_not_a_file_converter(tmp_path: Path, clean_imports: None) -> None:
    (tmp_path / "plain_mod.py").write_text("class Conv:\n    def convert(self, s, c):\n        return None\n")
    with pytest.raises(ConverterLoadError, match="not a subclass of pywats_client.converters.FileConverter"):
        load_converter("plain_mod.Conv", [tmp_path])


def test_abstract_converter_is_refused(tmp_path: Path, clean_imports: None) -> None:
    (tmp_path / "abstract_mod.py").write_text(
        "from pywats_client.converters import FileConverter\nclass Conv(FileConverter):\n    pass\n"
    )
    with pytest.raises(ConverterLoadError, match="does not implement convert"):
        load_converter("abstract_mod.Conv", [tmp_path])


def test_bad_spec() -> None:
    with pytest.raises(ConverterLoadError, match="expected 'module.Class'"):
        load_converter("justaname", ())


def test_exception_at_import_time(tmp_path: Path, clean_imports: None) -> None:
    (tmp_path / "raises_mod.py").write_text("import sys\n\nraise RuntimeError('licence dongle missing')\n")
    with pytest.raises(ConverterLoadError) as info:
        load_converter("raises_mod.Conv", [tmp_path])
    assert info.value.reason == "RuntimeError: licence dongle missing"
    assert info.value.line == 3


def test_fresh_reimports_an_edited_module(tmp_path: Path, clean_imports: None) -> None:
    body = (
        "from pywats_client.converters import FileConverter, ConverterResult\n"
        "class Conv(FileConverter):\n"
        "    @property\n    def name(self):\n        return {name!r}\n"
        "    def convert(self, s, c):\n        return ConverterResult.failure('x')\n"
    )
    (tmp_path / "edited_mod.py").write_text(body.format(name="one"))
    assert load_converter("edited_mod.Conv", [tmp_path])().name == "one"
    (tmp_path / "edited_mod.py").write_text(body.format(name="two") + "\n# edited\n")
    assert load_converter("edited_mod.Conv", [tmp_path], fresh=True)().name == "two"


def test_load_error_is_picklable() -> None:
    import pickle

    error = ConverterLoadError("m.C", "NameError: x", "/a/m.py", 3)
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.spec, copy.reason, copy.file, copy.line, str(copy)) == (
        "m.C",
        "NameError: x",
        "/a/m.py",
        3,
        str(error),
    )


def test_same_module_name_in_two_folders_loads_each_folders_own(tmp_path: Path, clean_imports: None) -> None:
    """Two instances may both have a `site_conv.py`; each must get its own class."""
    for which in ("a", "b"):
        folder = tmp_path / which
        folder.mkdir()
        (folder / "site_conv.py").write_text(
            "from pywats_client.converters import FileConverter, ConverterResult\n"
            f"class Conv(FileConverter):\n    name = 'conv-{which}'\n"
            "    def convert(self, source, context):\n        return ConverterResult.failure('x')\n",
            encoding="utf-8",
        )
    assert load_converter("site_conv.Conv", [tmp_path / "a"]).name == "conv-a"
    assert load_converter("site_conv.Conv", [tmp_path / "b"]).name == "conv-b"
    assert load_converter("site_conv.Conv", [tmp_path / "a"]).name == "conv-a"
