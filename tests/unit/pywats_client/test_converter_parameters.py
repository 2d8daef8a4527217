"""Converter parameters: the standard keys, their checks, and the file-wins rule."""

from __future__ import annotations

import pytest

from pywats_client.config import ConverterConfig
from pywats_client.converters import ConverterContext, ContextData
from pywats_client.converters.parameters import (
    ConverterParameterError,
    StandardParameters,
    apply_header_defaults,
    merge_parameters,
)


def test_parameters_win_over_arguments() -> None:
    assert merge_parameters({"a": 1, "b": 2}, {"b": 3}) == {"a": 1, "b": 3}


def test_config_accepts_parameters_object(tmp_path) -> None:
    conv = ConverterConfig(name="c", module_path="csv", watch_folder=tmp_path, parameters={"part_number": "PN-1"})
    assert conv.parameters == {"part_number": "PN-1"}


def test_culture_sets_decimal_comma_and_date_format() -> None:
    params = StandardParameters.from_mapping({"culture": "de-DE"})
    assert params.decimal_separator == ","
    assert params.date_format == "%d.%m.%Y %H:%M:%S"
    explicit = StandardParameters.from_mapping({"culture": "de-DE", "decimal_separator": "."})
    assert explicit.decimal_separator == "."


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"culture": "xx-YY"}, "culture"),
        ({"decimal_separator": ";"}, "decimal_separator"),
        ({"encoding": "no-such-codec"}, "encoding"),
        ({"part_number": ["a"]}, "part_number"),
    ],
)
def test_bad_values_name_the_parameter(params: dict, named: str) -> None:
    with pytest.raises(ConverterParameterError, match=named):
        StandardParameters.from_mapping(params)


def test_file_values_win_and_gaps_are_filled() -> None:
    context = ConverterContext(ContextData(processes=({"code": 100, "name": "FCT"},)))
    params = StandardParameters.from_mapping(
        {"part_number": "PN-DEFAULT", "revision": "B", "operation_type": "FCT", "operator": "op1",
         "sequence_name": "Main", "sequence_version": "2.0"}
    )
    report = {"type": "T", "pn": "PN-FILE", "rev": "", "root": {"seqCall": {"name": "FromFile"}}}
    apply_header_defaults(report, params, context)
    assert report["pn"] == "PN-FILE"
    assert report["rev"] == "B"
    assert report["processCode"] == 100
    assert report["uut"]["user"] == "op1"
    assert report["root"]["seqCall"] == {"name": "FromFile", "version": "2.0"}


def test_unknown_operation_name_is_named() -> None:
    params = StandardParameters.from_mapping({"operation_type": "NoSuchProcess"})
    with pytest.raises(ConverterParameterError, match="operation_type"):
        apply_header_defaults({"type": "T"}, params, ConverterContext(ContextData()))
