"""pywats-server against hostile input: zip entry names, package paths, nested filters and bodies.

Every malformed request is a 400 whose message names the problem; nothing a client stored
can lead whoever unpacks an answer outside its folder.
"""

from __future__ import annotations

import base64
import io
import json
import uuid
import zipfile

import httpx
import pytest


_HOSTILE = ["../../evil.txt", "/etc/passwd", "C:\\Windows\\system32\\x.dll", "..\\..\\up.bin", "ok/./sub/../f.txt"]


def _is_safe(name: str) -> bool:
    parts = name.replace("\\", "/").split("/")
    return not name.startswith("/") and ".." not in parts and ":" not in name and "" not in parts


def test_attachment_zip_entries_are_safe_relative_names(client: httpx.Client, make_uur) -> None:
    uur = make_uur(sn="HARDEN-ZIP-1")
    template = uur["binaryData"][0]
    uur["binaryData"] = [
        {**template, "id": str(uuid.uuid4()), "name": name, "data": base64.b64encode(name.encode()).decode()}
        for name in _HOSTILE
    ]
    r = client.post("/api/Report/WSJF", json=uur)
    assert r.status_code == 200, r.text
    z = client.get(f"/api/Report/Attachments/{uur['id']}")
    assert z.status_code == 200
    with zipfile.ZipFile(io.BytesIO(z.content)) as zf:
        names = zf.namelist()
        contents = {zf.read(n) for n in names}
    assert len(names) == len(_HOSTILE) and all(_is_safe(n) for n in names), names
    assert "evil.txt" in names and "etc/passwd" in names and "Windows/system32/x.dll" in names
    assert contents == {n.encode() for n in _HOSTILE}  # nothing lost
    one = client.get("/api/Report/Attachment", params={"reportId": uur["id"], "attachmentId": uur["binaryData"][0]["id"]})
    assert one.status_code == 200 and 'filename="evil.txt"' in one.headers["content-disposition"]


def _zip(names: list[str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name in names:
            zf.writestr(zipfile.ZipInfo(name), b"x")
    return buf.getvalue()


def test_package_file_paths_are_safe_relative_names(client: httpx.Client) -> None:
    created = client.post("/api/Software/Package", json={"name": f"harden-{uuid.uuid4().hex[:8]}", "version": 1})
    assert created.status_code == 200, created.text
    pid = created.json()["packageId"]
    up = client.post(f"/api/Software/Package/UploadZip/{pid}", content=_zip(_HOSTILE),
                     headers={"Content-Type": "application/zip"})
    assert up.status_code == 200, up.text
    files = client.get(f"/api/Software/PackageFiles/{pid}").json()
    paths = sorted(f"{f['packageFolderName']}/{f['name']}".lstrip("/") for f in files)
    assert paths == sorted(["evil.txt", "etc/passwd", "Windows/system32/x.dll", "up.bin", "ok/sub/f.txt"])
    assert all(_is_safe(p) for p in paths)
    bad = client.post(f"/api/Software/Package/UploadZip/{pid}", content=_zip(["../.."]),
                      headers={"Content-Type": "application/zip"})
    assert bad.status_code == 400 and "'../..'" in bad.json()["Message"]


@pytest.mark.parametrize(
    ("flt", "words"),
    [
        ("(" * 200 + "serialNumber eq 'x'" + ")" * 200, ["$filter", "nested deeper than"]),
        ("not " * 200 + "serialNumber eq 'x'", ["$filter", "nested deeper than"]),
        ("contains(" * 100 + "serialNumber, 'x')" + ")" * 99, ["$filter", "nested deeper than"]),
        (" or ".join(["serialNumber eq 'x'"] * 2000), ["$filter", "characters long"]),
        ("comment ge 2026-01-01T00:00:00Z", ["$filter", "not supported", "date/time"]),
        ("serialNumber/any(s: " + " and ".join(["run eq 1"] * 600) + ")", ["$filter", "lambda over 'serialNumber'"]),
    ],
)
def test_unreasonable_filters_are_400_saying_why(client: httpx.Client, flt: str, words: list[str]) -> None:
    r = client.get("/api/Report/Query/Header", params={"$filter": flt})
    assert r.status_code == 400, r.text
    assert all(w in r.json()["Message"] for w in words), r.json()


@pytest.mark.parametrize(
    "flt",
    [
        " or ".join(f"serialNumber eq 'SN-{i}'" for i in range(250)),
        "run in (" + ",".join(["1"] * 3900) + ")",
        " or ".join(["run eq 1"] * 680),
        " and ".join(["run ne 9"] * 600),
        " or ".join(["(run eq 1 and run ne 2)"] * 250),
    ],
)
def test_long_but_reasonable_filters_are_answered(client: httpx.Client, flt: str) -> None:
    r = client.get("/api/Report/Query/Header", params={"$filter": flt})
    assert r.status_code == 200, r.text


@pytest.mark.parametrize("depth", [300, 5000, 200_000])
@pytest.mark.parametrize("path", ["/api/Report/WSJF", "/api/Product", "/api/Asset"])
def test_deeply_nested_json_body_is_400(client: httpx.Client, path: str, depth: int) -> None:
    body = '{"a":' * depth + "1" + "}" * depth
    method = "PUT" if path != "/api/Report/WSJF" else "POST"
    r = client.request(method, path, content=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 400, r.text[:200]
    assert "nested deeper than" in r.json()["Message"]


def test_report_nested_within_the_limit_is_judged_on_content(client: httpx.Client, make_uut) -> None:
    report = make_uut(sn="HARDEN-DEEP-1")
    step = report["root"]
    for i in range(40):  # 40 levels of sequences: 80 JSON levels, well inside the limit
        child = {"id": 1000 + i, "group": "M", "stepType": "SequenceCall", "name": f"L{i}", "status": "P",
                 "steps": []}
        step.setdefault("steps", []).append(child)
        step = child
    r = client.post("/api/Report/WSJF", content=json.dumps(report), headers={"Content-Type": "application/json"})
    assert r.status_code == 200, r.text
