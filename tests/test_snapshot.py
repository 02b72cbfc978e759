"""The bundled pack's JSON snapshot: it always equals what its TOML sources give."""

from __future__ import annotations

import datetime as dt
import pickle
from pathlib import Path
from unittest import mock

import pytest

import trustkit
from trustkit import _api, load_pack
from trustkit._pack import snapshot
from trustkit._pack.load import bundled_root


def test_the_snapshot_equals_the_toml_sources() -> None:
    """Field by field, origins and locale files included; regenerate it if this fails:
    python -m trustkit._pack.snapshot --write"""
    from_toml = load_pack("core")
    from_snapshot = snapshot.bundled()
    assert from_snapshot is not None
    assert snapshot.encode(from_snapshot) == snapshot.encode(from_toml)
    assert from_snapshot == from_toml
    assert snapshot.main([]) == 0  # the file is byte for byte what --write would write


def test_the_default_pack_comes_from_the_snapshot_checked() -> None:
    pack = trustkit.default_pack()
    assert pack._checked
    assert [f.locale for f in pack.locale_files] == ["es"]
    assert pack.localized("es").locale == "es"
    copy = pickle.loads(pickle.dumps(pack))
    assert copy == pack
    assert copy.localized("es").steps == pack.localized("es").steps


def test_the_locales_folder_is_found_when_first_used() -> None:
    folder = snapshot.BundledFolder("locales")
    real = bundled_root() / "locales"
    assert folder.is_dir()
    assert (folder / "es.toml").read_bytes() == (real / "es.toml").read_bytes()
    with pytest.raises(AttributeError):
        folder.__wrapped__  # noqa: B018
    assert pickle.loads(pickle.dumps(folder)).parts == ("locales",)


def test_without_a_snapshot_the_toml_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(snapshot, "SNAPSHOT", "no-such-snapshot.json")
    assert snapshot.bundled() is None
    pack = _api.default_pack.__wrapped__()
    assert snapshot.encode(pack) == snapshot.encode(load_pack("core"))


def test_the_regeneration_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = str(tmp_path / "core.json")
    assert snapshot.main([], target) == 1
    assert "stale" in capsys.readouterr().out
    assert snapshot.main(["--write"], target) == 0
    assert snapshot.main([], target) == 0
    assert Path(target).read_text(encoding="utf-8") == snapshot.dumps(load_pack("core"))


def test_a_snapshot_names_only_models() -> None:
    with pytest.raises(KeyError):
        snapshot.decode('{"$": "Path", "value": "/"}')


def test_translation_is_imported_on_first_use() -> None:
    """Until the pack layer is imported, ContentPack.localized goes through the API's hook."""
    pack = trustkit.default_pack()
    assert _api._localize(pack, "es") is pack.localized("es")


def test_plain_tables_stay_tables() -> None:
    assert snapshot.decode_value('{"a": [1, {"$date": "2026-11-27"}]}') == {
        "a": [1, dt.date(2026, 11, 27)]
    }


def test_a_checked_pack_is_not_checked_again() -> None:
    from trustkit._pack.validate import ensure_checked

    pack = trustkit.default_pack()
    with mock.patch("trustkit._pack.validate.check_pack") as check:
        ensure_checked(pack)
    check.assert_not_called()
