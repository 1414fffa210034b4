import hashlib

import pytest

from kadry.errors import BadRequest, Forbidden, NotFound
from kadry.match.keys import audit_log, check_key, create_key, list_keys, log_call, revoke_key


def test_key_is_stored_only_as_its_hash(store):
    key_id, key = create_key(store, ["match"], name="employment office")
    rows = store.con.execute("SELECT * FROM api_keys").fetchall()
    assert len(rows) == 1
    flat = " ".join(str(v) for v in rows[0])
    assert key not in flat
    assert hashlib.sha256(key.encode()).hexdigest() in flat
    assert check_key(store, key, "match") == key_id
    [info] = list_keys(store)
    assert info.key_id == key_id and info.scopes == ["match"] and info.revoked_at is None


def test_refusals(store):
    _, match_key = create_key(store, ["match"])
    admin_id, admin_key = create_key(store, ["admin"])
    with pytest.raises(Forbidden, match="required"):
        check_key(store, None, "match")
    with pytest.raises(Forbidden, match="invalid"):
        check_key(store, match_key + "x", "match")
    with pytest.raises(Forbidden, match="scope"):
        check_key(store, admin_key, "match")
    key_id = check_key(store, match_key, "match")
    revoke_key(store, key_id)
    with pytest.raises(Forbidden, match="revoked"):
        check_key(store, match_key, "match")
    with pytest.raises(NotFound):
        revoke_key(store, "nope")
    with pytest.raises(BadRequest):
        create_key(store, ["everything"])


def test_no_keys_table_means_no_access(store):
    with pytest.raises(Forbidden):
        check_key(store, "kadry_whatever", "match")
    assert list_keys(store) == [] and audit_log(store) == []


def test_audit_rows_carry_no_payload(store):
    key_id, _ = create_key(store, ["match"])
    log_call(store, key_id, "resume", 20, 7)
    [row] = audit_log(store)
    assert set(row) == {"called_at", "key_id", "direction", "k", "result_count"}
    assert (row["key_id"], row["direction"], row["k"], row["result_count"]) == (key_id, "resume", 20, 7)
