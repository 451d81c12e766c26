"""The vocabulary: every coded column holds one of its enum's codes, the database refuses any other (raw SQL
too, on SQLite and PostgreSQL), the owners refuse unknown codes, and every code has words for staff or her."""

from __future__ import annotations

import enum
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError

from portal.console import admin as admin_console
from portal.console import labels
from portal.database import harden_engine, normalise_url
from portal.i18n import LOCALES
from portal.migrate import upgrade
from portal.models import (
    ActorKind,
    AgencyKind,
    Base,
    ClosureReason,
    ConferenceStatus,
    ConsentAction,
    ConsentChannel,
    ConsentScope,
    ContactMethod,
    ContactOutcome,
    EvaluationStage,
    EventKind,
    Feeling,
    Imminence,
    NewsKind,
    NotificationKind,
    NotificationState,
    OfferState,
    ParticipantStatus,
    PartnerStatus,
    RecordedBy,
    ReferralOutcome,
    RiskFactor,
    RiskLevel,
    Role,
    SafeToTalk,
    SessionAudience,
    Severity,
    SharingAction,
    SharingBasis,
    SharingHow,
    StageAnchor,
    TaskKind,
    Tell,
    TokenPurpose,
    Wording,
)
from portal.models.base import vocabularies
from portal.public import checkins as her_checkins_page
from portal.public import preferences as her_preferences
from portal.services.audit import Actor
from portal.services.casework.tasks import create_task
from portal.services.her import consent, preferences
from portal.services.messaging.outbox import enqueue
from tests.conftest import fresh_database_url
from tests.factories import context, make_world
from tests.test_migrations import fill_every_table

VOCABULARIES = vocabularies(Base.metadata)

# Words staff see for each vocabulary (console/labels.py, and the admin's role names).
STAFF_LABELS: dict[type[enum.StrEnum], object] = {
    TaskKind: lambda: labels.TASK_KIND, Severity: lambda: labels.SEVERITY, PartnerStatus: lambda: labels.STATUS,
    EventKind: lambda: labels.EVENT_KIND, Imminence: lambda: labels.IMMINENCE, Tell: lambda: labels.TELL,
    NotificationState: lambda: labels.MESSAGE_STATE, NotificationKind: lambda: labels.MESSAGE_KIND,
    ConsentAction: lambda: labels.CONSENT_ACTION, ConsentChannel: lambda: labels.CONSENT_CHANNEL,
    ConsentScope: lambda: labels.CONSENT_SCOPE, ContactMethod: lambda: labels.METHOD,
    SafeToTalk: lambda: labels.SAFE_TO_TALK, ContactOutcome: lambda: labels.OUTCOME,
    ClosureReason: lambda: labels.CLOSURE, ParticipantStatus: lambda: labels.PARTICIPANT_STATUS,
    Role: admin_console.role_labels, NewsKind: lambda: labels.NEWS_KIND, Wording: lambda: labels.WORDING,
    Feeling: lambda: labels.FEELING,
    RiskLevel: lambda: labels.RISK_LEVEL, RiskFactor: lambda: labels.RISK_FACTOR,
    AgencyKind: lambda: labels.AGENCY, SharingAction: lambda: labels.SHARING_ACTION,
    SharingBasis: lambda: labels.SHARING_BASIS, SharingHow: lambda: labels.SHARING_HOW,
    ReferralOutcome: lambda: labels.REFERRAL_OUTCOME, ConferenceStatus: lambda: labels.CONFERENCE_STATUS,
    EvaluationStage: lambda: labels.EVALUATION_STAGE, StageAnchor: lambda: labels.STAGE_ANCHOR,
    OfferState: lambda: labels.OFFER_STATE, RecordedBy: lambda: labels.RECORDED_BY,
}
# Codes nobody reads as words: the audit log shows its actor kinds as codes (like its actions), and
# token purposes and session audiences are never shown.
SHOWN_AS_CODES = {ActorKind, TokenPurpose, SessionAudience}


def test_every_coded_column_is_a_known_vocabulary_and_the_constraint_count():
    assert set(VOCABULARIES.values()) == set(STAFF_LABELS) | SHOWN_AS_CODES
    assert len(VOCABULARIES) == 49  # 0008_checkins +2, 0009_risk +4, 0010_children +7, 0012_marac +4, 0014 +6


@pytest.mark.parametrize("vocabulary", list(STAFF_LABELS), ids=lambda v: v.__name__)
def test_every_code_has_words_for_staff(app, vocabulary):
    with app.test_request_context():
        words = STAFF_LABELS[vocabulary]()  # type: ignore[operator]
        missing = [code.value for code in vocabulary if code not in words]
        assert missing == [], f"{vocabulary.__name__} codes without a staff label: {missing}"
        assert all(str(words[code]).strip() for code in vocabulary)


def test_every_choice_she_sees_has_words_for_her(app):
    with app.test_request_context():
        assert set(her_preferences.TELL_LABELS) == set(Tell)
        assert set(her_preferences.CHANNEL_LABELS) == set(preferences.CHANNELS)
        assert set(her_preferences.TOPIC_LABELS) == set(preferences.TOPICS) <= set(EventKind)
        assert set(her_checkins_page.FEELING_LABELS) == set(Feeling)
        assert all(str(label).strip() for label in her_checkins_page.FEELING_LABELS.values())
        assert all(str(label).strip() for label in (*her_preferences.TELL_LABELS.values(),
                                                    *her_preferences.CHANNEL_LABELS.values(),
                                                    *her_preferences.TOPIC_LABELS.values()))
        assert all(info.native_name for info in LOCALES.values())


@pytest.fixture
def filled_engine(tmp_path):
    """A fresh database of the selected backend, migrated by Alembic, with one valid row in every table."""
    for url in fresh_database_url(tmp_path):
        engine = harden_engine(create_engine(normalise_url(url)))
        upgrade(engine)
        fill_every_table(engine)
        yield engine
        engine.dispose()


def test_the_database_refuses_an_unknown_code_in_every_coded_column(filled_engine):
    for table, column in VOCABULARIES:
        with pytest.raises(IntegrityError, match=f"ck_{table}_{column}|CHECK|check"):
            with filled_engine.begin() as conn:
                conn.execute(text(f"UPDATE {table} SET {column} = 'not_a_code'"))  # noqa: S608 (our own names)
    with filled_engine.begin() as conn:  # and every known code is taken
        for (table, column), vocabulary in VOCABULARIES.items():
            for code in vocabulary:
                conn.execute(text(f"UPDATE {table} SET {column} = :code"), {"code": code.value})  # noqa: S608


def test_a_raw_insert_with_an_unknown_code_is_refused(filled_engine):
    insert = text("INSERT INTO audit_event (seq, occurred_at, actor_type, action, details, prev_hash, hash) "
                  "VALUES (:seq, :at, :actor, 'task.done', '{}', :prev, :hash)")
    at = datetime(2026, 1, 2, tzinfo=UTC)
    with pytest.raises(IntegrityError):
        with filled_engine.begin() as conn:
            conn.execute(insert, {"seq": 90, "at": at, "actor": "intruder", "prev": "0" * 64, "hash": "a" * 64})
    with filled_engine.begin() as conn:
        conn.execute(insert, {"seq": 91, "at": at, "actor": "system", "prev": "0" * 64, "hash": "b" * 64})


def test_the_owners_refuse_an_unknown_code(dbs, vault, audit_key, clock):
    world = make_world(dbs, vault, audit_key)
    now = clock.now()
    with pytest.raises(ValueError):
        create_task(dbs, world.partner, kind="programme_dropout", severity=Severity.URGENT, now=now)
    with pytest.raises(ValueError):
        create_task(dbs, world.partner, kind=TaskKind.SMS_HELP, severity="whenever", now=now)
    with pytest.raises(ValueError):
        enqueue(dbs, vault, world.partner, kind="advert", template="help", now=now)
    with pytest.raises(ValueError):
        consent.give(context(dbs, vault, audit_key, now), world.partner, channel="fax", text_version=None)
    with pytest.raises(ValueError):
        consent.texts_chosen(context(dbs, vault, audit_key, now, Actor(ActorKind.SYSTEM)), world.partner, on=True,
                             channel="carrier_pigeon")
    with pytest.raises(ValueError):
        Actor("robot", str(uuid.uuid4()))
    with pytest.raises(ValueError):
        TaskKind.for_event("holiday")
    assert TaskKind.for_event("risk") is TaskKind.EVENT_RISK


def test_codes_still_compare_and_store_as_the_same_strings(dbs, vault, audit_key, clock):
    world = make_world(dbs, vault, audit_key)
    task = create_task(dbs, world.partner, kind="pin_locked", severity="soon", now=clock.now())
    dbs.commit()
    dbs.expire_all()
    assert "pin_locked" in dbs.scalars(text("SELECT kind FROM task")).all()  # the stored code is unchanged
    assert dbs.get(type(task), task.id).kind == "pin_locked"
    assert Role.ALL == (Role.ADMIN, Role.SUPPORT_WORKER, Role.FACILITATOR) and "admin" in Role.ALL
    assert Severity.ALL == ("routine", "soon", "urgent", "immediate")
    assert NotificationState.OPEN == ("pending", "sending", "unknown")
    assert f"{TaskKind.PIN_LOCKED}" == "pin_locked" and Actor("sms").kind == "sms"
