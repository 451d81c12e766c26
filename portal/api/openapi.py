"""The OpenAPI 3 description of the programme-event API, served at /api/v1/openapi.json."""

from __future__ import annotations

from typing import Any

from portal.api.payload import RISK_TARGETS
from portal.models import EventKind, RiskFactor
from portal.services.programme.events import DESCRIPTION_MAX, IMMINENCE


def _error(description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def document(server_url: str) -> dict[str, Any]:
    target = {"type": "string", "enum": list(RISK_TARGETS)}
    factor = {"type": "string", "enum": list(RiskFactor.ALL)}
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Programme-event API",
            "version": "1.0.0",
            "description": (
                "For programme case-management systems: report what happens on the programme (dropout, "
                "suspension or exclusion, completion, programme end, attendance concern, risk concern). "
                "A token belongs to one programme and is created and revoked by an admin. The response never "
                "depends on anyone other than the participant: it is the same whether or not a partner is known. "
                "Successful responses take at least a fixed minimum time."
            ),
        },
        "servers": [{"url": server_url}],
        "security": [{"bearer": []}],
        "paths": {
            "/programme-events": {
                "post": {
                    "operationId": "reportProgrammeEvent",
                    "summary": "Report a programme event about a participant",
                    "parameters": [{
                        "name": "Idempotency-Key", "in": "header", "required": False,
                        "description": ("Send the same key to retry safely: the same key with the same body "
                                        "returns the first response and records nothing new; the same key with a "
                                        "different body is refused with 422 idempotency_key_reused."),
                        "schema": {"type": "string", "minLength": 1, "maxLength": 200,
                                   "pattern": "^[\\x21-\\x7e]+$"},
                    }],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/EventReport"}}},
                    },
                    "responses": {
                        "201": {"description": "Recorded (or the replay of an earlier identical request).",
                                "content": {"application/json": {
                                    "schema": {"$ref": "#/components/schemas/EventReceipt"}}}},
                        "400": _error("The body is not valid JSON (invalid_json)."),
                        "401": _error("Missing, unknown, expired or revoked token (unauthorized)."),
                        "413": _error("The body is larger than 64 KiB."),
                        "415": _error("The body is not application/json (unsupported_media_type)."),
                        "422": _error("The report is not valid: see `error` and `field`. Codes include "
                                      "missing_field, invalid_type, invalid_kind, invalid_reference, "
                                      "unknown_participant, risk_to_required, imminence_required, "
                                      "risk_fields_only_for_risk, invalid_factor, factors_only_for_risk, "
                                      "occurred_at_in_future, invalid_idempotency_key, idempotency_key_reused."),
                        "429": _error("Too many requests."),
                    },
                },
            },
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "The programme's API token."}},
            "schemas": {
                "EventReport": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["participant_ref", "kind"],
                    "properties": {
                        "participant_ref": {
                            "type": "string", "minLength": 1, "maxLength": 64,
                            "pattern": "^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$",
                            "description": ("The pseudonymous programme reference of a participant registered "
                                            "in this token's programme. An unknown reference answers 422 "
                                            "unknown_participant (it concerns the participant only)."),
                        },
                        "kind": {"type": "string", "enum": list(EventKind.ALL),
                                 "description": "`suspended` covers suspension and exclusion."},
                        "risk_to": {
                            "description": "Kind `risk` only, and then required: who is at risk.",
                            "oneOf": [target, {"type": "array", "items": target, "minItems": 1, "maxItems": 2,
                                               "uniqueItems": True}],
                        },
                        "imminence": {"type": "string", "enum": list(IMMINENCE), "nullable": True,
                                      "description": "Kind `risk` only, and then required."},
                        "factors": {
                            "type": "array", "items": factor, "uniqueItems": True, "maxItems": len(RiskFactor.ALL),
                            "nullable": True,
                            "description": (
                                "Kind `risk` only, optional: what WWP EN B.4 names, each once. "
                                "`suicidal_ideation` (his), `threats_to_kill`, `weapons` (access or use), "
                                "`stalking`, `separation` (he knows she is separating or has separated). Any of "
                                "them raises the urgency of the partner support worker's task: `threats_to_kill` "
                                "and `weapons` make it immediate, each of the others raises it one step."),
                        },
                        "description": {"type": "string", "maxLength": DESCRIPTION_MAX, "nullable": True,
                                        "description": "What the facilitators observed (stored encrypted)."},
                        "occurred_at": {"type": "string", "format": "date-time", "nullable": True,
                                        "description": "RFC 3339 with offset; defaults to now; not in the future."},
                    },
                },
                "EventReceipt": {
                    "type": "object",
                    "required": ["id", "status", "participant_ref", "kind", "risk_to", "imminence", "factors",
                                 "occurred_at"],
                    "properties": {
                        "id": {"type": "string", "format": "uuid"},
                        "status": {"type": "string", "enum": ["received"]},
                        "participant_ref": {"type": "string"},
                        "kind": {"type": "string", "enum": list(EventKind.ALL)},
                        "risk_to": {"type": "array", "items": target},
                        "imminence": {"type": "string", "enum": list(IMMINENCE), "nullable": True},
                        "factors": {"type": "array", "items": factor},
                        "occurred_at": {"type": "string", "format": "date-time"},
                    },
                },
                "Error": {
                    "type": "object",
                    "required": ["error", "message"],
                    "properties": {
                        "error": {"type": "string", "description": "A stable code."},
                        "message": {"type": "string", "description": "What to fix, for a person."},
                        "field": {"type": "string", "nullable": True},
                    },
                },
            },
        },
    }
