"""``pywats.models.process_codes`` keeps one name→code table per server (two fake lists)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from pywats.models import process_codes

A = "https://a.example.invalid"
B = "https://b.example.invalid"


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    process_codes.clear()
    yield
    process_codes.clear()


def _two_servers() -> None:
    process_codes.remember([(300, "Final"), (310, "Rework"), (50, "ICT")], server=A)
    process_codes.remember([(310, "Final"), (320, "OnlyB"), (50, "ICT")], server=B)


def test_a_servers_names_resolve_only_from_its_own_list() -> None:
    _two_servers()
    assert process_codes.code_for("Final", server=A) == 300
    assert process_codes.code_for("final", server=A) == 300  # ignoring case, still A's list
    assert process_codes.code_for("Final", server=B) == 310
    assert process_codes.code_for("OnlyB", server=A) is None
    assert process_codes.code_for("Rework", server=B) is None
    assert process_codes.code_for("Final", server="https://never-seen.example.invalid") is None


def test_server_urls_are_keyed_like_the_client_normalises_them() -> None:
    process_codes.remember([(300, "Final")], server="https://A.example.invalid/api/")
    assert process_codes.code_for("Final", server=A) == 300
    assert process_codes.code_for("Final", server=A + "/") == 300
    assert process_codes.server_key(" https://A.example.invalid/API ") == "https://a.example.invalid"


def test_for_server_scopes_calls_that_name_no_server() -> None:
    _two_servers()
    with process_codes.for_server(A):
        assert process_codes.current_server() == A
        assert process_codes.code_for("Final") == 300
        assert process_codes.code_for("OnlyB") is None
        assert process_codes.known() == {"Final": 300, "Rework": 310, "ICT": 50}
        with process_codes.for_server(B):
            assert process_codes.code_for("Final") == 310
        assert process_codes.code_for("Final") == 300
        process_codes.remember([(330, "Late")])  # recorded under A
    assert process_codes.current_server() is None
    assert process_codes.code_for("Late", server=A) == 330
    assert process_codes.code_for("Late", server=B) is None


def test_without_a_server_only_agreeing_codes_answer() -> None:
    _two_servers()
    assert process_codes.code_for("Final") is None  # A says 300, B says 310: ambiguous
    assert process_codes.code_for("ICT") == 50  # both agree
    assert process_codes.code_for("OnlyB") == 320  # one source knows it
    assert process_codes.code_for("rework") == 310
    assert process_codes.known() == {"Rework": 310, "ICT": 50, "OnlyB": 320}


def test_single_source_behaves_as_the_old_global_cache() -> None:
    process_codes.remember([(100, "FCT"), (500, "Repair")])
    assert process_codes.code_for("FCT") == 100
    assert process_codes.code_for("fct") == 100
    assert process_codes.known() == {"FCT": 100, "Repair": 500}
    process_codes.remember([(101, "FCT")])  # a newer list of the same (unknown) source wins
    assert process_codes.code_for("FCT") == 101
    # pairs of an unknown server never resolve for a named server
    assert process_codes.code_for("FCT", server=A) is None


def test_clear_one_server_or_all() -> None:
    _two_servers()
    process_codes.clear(A)
    assert process_codes.code_for("Final", server=A) is None
    assert process_codes.code_for("Final") == 310
    process_codes.clear()
    assert process_codes.known() == {} and process_codes.code_for("Final", server=B) is None


def test_a_scope_in_one_thread_does_not_leak_into_another() -> None:
    _two_servers()
    entered, release = threading.Event(), threading.Event()
    seen: list[int | None] = []

    def scoped() -> None:
        with process_codes.for_server(A):
            entered.set()
            release.wait(10)
            seen.append(process_codes.code_for("Final"))

    worker = threading.Thread(target=scoped)
    worker.start()
    assert entered.wait(10)
    try:
        assert process_codes.current_server() is None
        assert process_codes.code_for("Final") is None
    finally:
        release.set()
        worker.join(10)
    assert seen == [300]
