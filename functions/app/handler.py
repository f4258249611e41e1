"""Example HTTP function (API Gateway HTTP API payload v2 or a Lambda Function URL).

    GET  /health  one database round trip; reports its latency
    GET  /items       newest items first; ?limit=1..100 (default 50)
    POST /items       {"name": "<1..200 characters>"} -> 201 {"id", "name", "created_at"} (the row as the
                      writer stored it), location /items/{id}
    GET  /items/{id}  one item (404 if there is none)

Read-your-writes with readers (DB_READ_HOST): reads declared read_only=True may run on a replica that lags
behind the writer. So POST returns the row read from the writer (the client needs no GET to see it), and
GET /items/{id} asks the writer before answering 404, so the `location` of a row just written always
answers. The list may miss the newest items for as long as the replica lags.

Requests are validated completely before the database is touched: a malformed one costs no connection.
Deployed as handler.handler; `lambda_rds_runtime` comes from the lambda-rds layer.
An event {"lambda_rds_probe": true} (not HTTP) returns the connectivity probe for `lambda-rds doctor`.
"""

from __future__ import annotations

from lambda_rds_runtime import ConnectionLostError, DatabaseError, RuntimeConfigError, get_database, run_probe
from lambda_rds_runtime.http import (
    HttpError,
    error_response,
    json_body,
    query_parameter,
    raw_json_response,
    request_line,
    response,
)
from lambda_rds_runtime.log import emit

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

MAX_BODY_BYTES = 4096
NAME_MAX_CHARS = 200
LIST_DEFAULT = 50
LIST_MAX = 100


def handler(event: Any, context: Any = None) -> dict[str, Any]:
    """Lambda entry point."""
    if isinstance(event, dict) and event.get("lambda_rds_probe") is True:
        return run_probe()
    try:
        method, path = request_line(event)
        methods = ROUTES.get(path)
        if methods is None and path.startswith("/items/"):
            methods = ITEM_ROUTES
        if methods is None:
            raise HttpError(404, f"no route for {_quote(path)}")
        route = methods.get(method)
        if route is None:
            raise HttpError(
                405, f"{method} is not allowed on {_quote(path)}", {"allow": ", ".join(sorted(methods))}
            )
        return route(event, context)
    except HttpError as exc:
        return error_response(exc)
    except ConnectionLostError as exc:
        emit("request_failed", "ERROR", error=str(exc))
        return response(503, {"error": "the database connection was lost; the request may have been applied"})
    except DatabaseError as exc:
        # The runtime already logged the details; clients get no host names or driver messages.
        emit("request_failed", "ERROR", error=str(exc))
        return response(503, {"error": "the database is unavailable"})
    except RuntimeConfigError as exc:
        emit("request_failed", "ERROR", error=str(exc))
        return response(500, {"error": "the function is misconfigured (see its log)"})
    except Exception as exc:  # an SQL error, a statement timeout, a bug: log it, answer JSON anyway
        emit("request_failed", "ERROR", error=f"{type(exc).__name__}: {' '.join(str(exc).split())}")
        return response(500, {"error": "internal error"})


def health(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """One `SELECT 1` round trip. The body has a fixed shape, so it is formatted directly: this is the
    warm-path benchmark, and a JSON encoder call is ~5% of a warm invocation."""
    return raw_json_response(200, f'{{"status":"ok","db_ms":{get_database(context).ping():.3f}}}')


def list_items(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The newest items, bounded by ?limit."""
    text = query_parameter(event, "limit")
    limit = LIST_DEFAULT
    if text is not None:
        # ASCII digits only ("²".isdigit() is True, int("²") fails) and short (int() refuses > 4300 digits).
        if not (text.isascii() and text.isdigit() and len(text) <= 3) or not 1 <= int(text) <= LIST_MAX:
            raise HttpError(400, f"limit must be an integer from 1 to {LIST_MAX}")
        limit = int(text)
    rows = get_database(context).query(
        "SELECT id, name, created_at FROM items ORDER BY id DESC LIMIT %s", (limit,), read_only=True
    )
    items = [{"id": row[0], "name": row[1], "created_at": _iso(row[2])} for row in rows]
    return response(200, {"items": items, "count": len(items)})


def create_item(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Insert one item and answer with the row as the writer stored it (not retried if the connection dies
    mid-flight: an INSERT is not idempotent)."""
    name = validate_new_item(json_body(event, MAX_BODY_BYTES))
    db = get_database(context)
    if db.config.engine == "postgres":
        row = db.query("INSERT INTO items (name) VALUES (%s) RETURNING id, name, created_at", (name,))[0]
    else:
        # MySQL has no RETURNING: the INSERT and the read of its row share one transaction on the writer,
        # so the answer is that row, and a failure leaves no row behind that the client was told failed.
        with db.transaction() as cur:
            cur.execute("INSERT INTO items (name) VALUES (%s)", (name,))
            cur.execute("SELECT id, name, created_at FROM items WHERE id = %s", (cur.lastrowid,))
            row = cur.fetchone()
    item = {"id": row[0], "name": row[1], "created_at": _iso(row[2])}
    return response(201, item, {"location": f"/items/{row[0]}"})


def get_item(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """One item by id: what the `location` header of `POST /items` points to."""
    text = event_path(event).rpartition("/")[2]
    if not (text.isascii() and text.isdigit() and len(text) <= 18) or int(text) < 1:
        raise HttpError(404, "no such item (ids are positive integers)")
    db = get_database(context)
    sql = "SELECT id, name, created_at FROM items WHERE id = %s"
    rows = db.query(sql, (int(text),), read_only=True)
    if not rows and db.config.read_host:
        # A replica may not have replayed a row written a moment ago (this is what POST's `location`
        # points to): only the writer may say it does not exist. Costs a second query for misses only.
        rows = db.query(sql, (int(text),))
    if not rows:
        raise HttpError(404, f"no item {text}")
    row = rows[0]
    return response(200, {"id": row[0], "name": row[1], "created_at": _iso(row[2])})


def event_path(event: dict[str, Any]) -> str:
    """The normalised request path (already validated by request_line)."""
    return request_line(event)[1]


def validate_new_item(body: object) -> str:
    """The item name from `{"name": str}`; raises HttpError 422 on anything else."""
    if not isinstance(body, dict):
        raise HttpError(422, 'the body must be a JSON object like {"name": "..."}')
    unexpected = sorted(set(body) - {"name"})
    if unexpected:
        raise HttpError(422, f"unexpected field(s): {', '.join(unexpected)}")
    name = body.get("name")
    if not isinstance(name, str):
        raise HttpError(422, "name must be a string")
    if not 1 <= len(name) <= NAME_MAX_CHARS:
        raise HttpError(422, f"name must be 1 to {NAME_MAX_CHARS} characters")
    if "\x00" in name:
        raise HttpError(422, "name must not contain NUL characters")
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # "\ud800" in JSON decodes to a lone surrogate, which no database stores
        raise HttpError(422, "name must not contain lone surrogates (invalid Unicode)") from None
    return name


def _quote(path: str) -> str:
    """A path for an error message: bounded and printable (the client's own text, echoed back)."""
    return path[:100].encode("ascii", "backslashreplace").decode("ascii")


def _iso(value: object) -> object:
    isoformat = getattr(value, "isoformat", None)
    return isoformat() if callable(isoformat) else value


ROUTES: dict[str, dict[str, Callable[[dict[str, Any], Any], dict[str, Any]]]] = {
    "/health": {"GET": health},
    "/items": {"GET": list_items, "POST": create_item},
}
ITEM_ROUTES: dict[str, Callable[[dict[str, Any], Any], dict[str, Any]]] = {"GET": get_item}
