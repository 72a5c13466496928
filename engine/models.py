"""Tables. Instance state is stored as gzip-compressed JSON text (never jsonb: SpiffWorkflow's
delta encoding depends on key order) without its spec, which lives once per content hash."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .clock import now_utc
from .db import db

UTCDateTime = DateTime(timezone=True)


class Bundle(db.Model):
    """One deployed bundle: every file of a jurisdiction folder, stored by content hash."""

    __tablename__ = "bundle"
    hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    jurisdiction_id: Mapped[str] = mapped_column(String(64), index=True)
    files_json: Mapped[str] = mapped_column(Text)
    deployed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    deployed_by: Mapped[str | None] = mapped_column(String(64))
    # The simulation report of the bundle at deploy time (JSON) and whether an administrator
    # deployed it in spite of findings.
    simulation_json: Mapped[str | None] = mapped_column(Text)
    forced: Mapped[bool] = mapped_column(Boolean, default=False)


class Jurisdiction(db.Model):
    __tablename__ = "jurisdiction"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    regulation_title: Mapped[str] = mapped_column(String(300))
    current_bundle_hash: Mapped[str] = mapped_column(ForeignKey("bundle.hash"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)


class ProcessVersion(db.Model):
    __tablename__ = "process_version"
    __table_args__ = (
        UniqueConstraint("process_key", "version"),
        UniqueConstraint("process_key", "bundle_hash"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_key: Mapped[str] = mapped_column(String(100), index=True)
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    jurisdiction_id: Mapped[str] = mapped_column(ForeignKey("jurisdiction.id"), index=True)
    bundle_hash: Mapped[str] = mapped_column(ForeignKey("bundle.hash"))
    # The largest column read on the hot path; loaded only when asked for (see instances.spec_text).
    spec_json: Mapped[str] = mapped_column(Text, deferred=True)
    effective_from: Mapped[date] = mapped_column(Date)
    effective_until: Mapped[date | None] = mapped_column(Date)  # last day in force, if set
    deployed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)


class Instance(db.Model):
    __tablename__ = "instance"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_key: Mapped[str] = mapped_column(String(100), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("process_version.id"), index=True)
    jurisdiction_id: Mapped[str] = mapped_column(String(64), index=True)
    title: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(20), index=True)
    applicant_unit: Mapped[str | None] = mapped_column(String(200), index=True)
    started_by: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    error: Mapped[str | None] = mapped_column(Text)
    # A timer scheduler's claim on this case (engine/cases/timers.py): who holds it and until when;
    # taken by a plain UPDATE (never moving the revision), released after its batch.
    lease_holder: Mapped[str | None] = mapped_column(String(100))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revision: Mapped[int] = mapped_column(Integer, nullable=False)
    state: Mapped[bytes] = mapped_column(LargeBinary)
    # The head of this case's own audit chain (engine/audit.py): the last entry's hash and the
    # number of entries. On the row every change of the case updates anyway, guarded by its
    # revision, so an append needs no read and no lock of its own.
    audit_last_hash: Mapped[str | None] = mapped_column(String(64))
    audit_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0", nullable=False)

    version: Mapped[ProcessVersion] = relationship()
    __mapper_args__ = {"version_id_col": revision}  # noqa: RUF012  optimistic locking → 409


class TaskIndex(db.Model):
    """One row per open user task, rewritten with the state in the same transaction."""

    __tablename__ = "task_index"
    __table_args__ = (
        # The task list: filtered by (jurisdiction, role) and the unit/assignee/suspended
        # columns, ordered by due date then readiness — answered from this index alone, so a
        # page costs the same with 1k or 100k open tasks (bench/, docs/performance.md).
        Index("ix_task_index_list", "jurisdiction_id", "role", text("(due_at IS NULL)"), "due_at",
              "ready_at", "unit", "assignee", "suspended"),
        Index("ix_task_index_unit", "unit"),
    )
    task_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instance.id", ondelete="CASCADE"), index=True)
    jurisdiction_id: Mapped[str] = mapped_column(String(64))
    process_key: Mapped[str] = mapped_column(String(100))
    bpmn_id: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(300))
    lane: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(64))
    form: Mapped[str | None] = mapped_column(String(200))
    unit: Mapped[str | None] = mapped_column(String(200))
    applicant_unit: Mapped[str | None] = mapped_column(String(200))
    case_title: Mapped[str] = mapped_column(String(300), default="")
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    claimed_by: Mapped[str | None] = mapped_column(String(64), index=True)
    assignee: Mapped[str | None] = mapped_column(String(64), index=True)
    suspended: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    ready_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    # Loaded with the row where the caller goes on to read the case (instances.task_row): the
    # session's identity map holds objects weakly, so the row must reference it.
    instance: Mapped[Instance] = relationship(viewonly=True)


class User(db.Model):
    __tablename__ = "app_user"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(300))
    unit: Mapped[str | None] = mapped_column(String(200))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    # A deactivated account cannot log in; its name stays on what it signed (an administrator's choice).
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    roles: Mapped[list[UserRole]] = relationship(cascade="all, delete-orphan", lazy="selectin")


class UserRole(db.Model):
    __tablename__ = "user_role"
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True)
    jurisdiction_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    role: Mapped[str] = mapped_column(String(64), primary_key=True)


class ApiToken(db.Model):
    __tablename__ = "api_token"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LoginFailure(db.Model):
    """One refused login, kept for the throttling window (per username and client address)."""

    __tablename__ = "login_failure"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(150), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc, index=True)


class AuditEntry(db.Model):
    """Append-only; each row's hash covers the previous row's hash (tamper evidence)."""

    __tablename__ = "audit_entry"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(40))
    instance_id: Mapped[int | None] = mapped_column(Integer, index=True)
    task_id: Mapped[str | None] = mapped_column(String(36), index=True)
    bpmn_id: Mapped[str | None] = mapped_column(String(100))
    detail_json: Mapped[str] = mapped_column(Text, default="{}")
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    # In its case's chain (head on the instance row) rather than the global one; entries
    # written before migration 0008 are all in the global chain.
    case_chain: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"),
                                             nullable=False)
    # No foreign key (an entry outlives anything), but the flush must write a case's row before
    # its entries: the row's revision-checked UPDATE is where a concurrent append of the same
    # case waits and then fails as a 409; inserted first, the entry would collide on prev_hash.
    case: Mapped[Instance | None] = relationship(
        primaryjoin="foreign(AuditEntry.instance_id) == Instance.id", lazy="raise")


class AuditHead(db.Model):
    """The head of the global chain: entries without a case (login, deploy, administration) and
    every entry written before migration 0008. Locked by each such append, so it never forks."""

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_hash: Mapped[str] = mapped_column(String(64))
    count: Mapped[int] = mapped_column(Integer, default=0)


class CaseMilestone(db.Model):
    """Named milestones a case has reached (set by diagrams), for cross-case rules."""

    __tablename__ = "case_milestone"
    instance_id: Mapped[int] = mapped_column(ForeignKey("instance.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    __table_args__ = (Index("ix_case_milestone_name", "name", "at"),)


class Notice(db.Model):
    """抄送: a case copied to an office for information; no task, read-only access."""

    __tablename__ = "notice"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instance.id", ondelete="CASCADE"), index=True)
    jurisdiction_id: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(64))
    unit: Mapped[str | None] = mapped_column(String(200))
    message: Mapped[str] = mapped_column(Text)
    bpmn_id: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    __table_args__ = (Index("ix_notice_role", "jurisdiction_id", "role"),)


class NoticeRead(db.Model):
    __tablename__ = "notice_read"
    notice_id: Mapped[int] = mapped_column(ForeignKey("notice.id", ondelete="CASCADE"), primary_key=True)
    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)


class CaseMigration(db.Model):
    """A case moved from one version to another; the state before the move is kept so that the
    move can be reverted."""

    __tablename__ = "case_migration"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instance.id", ondelete="CASCADE"), index=True)
    from_version_id: Mapped[int] = mapped_column(ForeignKey("process_version.id"))
    to_version_id: Mapped[int] = mapped_column(ForeignKey("process_version.id"))
    previous_state: Mapped[bytes] = mapped_column(LargeBinary)
    task_mapping_json: Mapped[str] = mapped_column(Text, default="{}")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    actor: Mapped[str] = mapped_column(String(64))
    reverted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reverted_by: Mapped[str | None] = mapped_column(String(64))


class Attachment(db.Model):
    """A document uploaded for a form field. The bytes live in the attachment store (a folder
    by default, S3-compatible optionally), never in the case state; the case data holds the id.
    Until the form it was uploaded for is submitted, only the uploader may see it."""

    __tablename__ = "attachment"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # random hex: unguessable
    jurisdiction_id: Mapped[str] = mapped_column(String(64))
    process_key: Mapped[str] = mapped_column(String(100))
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("instance.id", ondelete="SET NULL"), index=True)
    task_id: Mapped[str | None] = mapped_column(String(36))  # the task whose form asked for it
    field: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(300))
    media_type: Mapped[str] = mapped_column(String(200))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(300))
    uploaded_by: Mapped[str] = mapped_column(String(64), index=True)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    bound_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # when a submitted form took it


class BundleDraft(db.Model):
    """A revision of a jurisdiction's bundle being edited in the browser (modeler, tables,
    forms) before it is validated and deployed. `revision` makes two editors' saves a 409."""

    __tablename__ = "bundle_draft"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    jurisdiction_id: Mapped[str] = mapped_column(String(64), index=True)
    # None for a jurisdiction drafted from nothing: there is no bundle it was copied from.
    base_bundle_hash: Mapped[str | None] = mapped_column(ForeignKey("bundle.hash"))
    title: Mapped[str] = mapped_column(String(300), default="")
    files_json: Mapped[str] = mapped_column(Text)  # {path: base64}, like bundle.files_json
    status: Mapped[str] = mapped_column(String(20), default="editing")  # editing | deployed | discarded
    validation_json: Mapped[str | None] = mapped_column(Text)  # the last validation report
    deployed_bundle_hash: Mapped[str | None] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    revision: Mapped[int] = mapped_column(Integer, nullable=False)
    __mapper_args__ = {"version_id_col": revision}  # noqa: RUF012
