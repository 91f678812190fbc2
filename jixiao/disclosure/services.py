"""Publishing, correcting and withdrawing publications (Saleor-style actions: every change here).

The targets and evaluation workflows' 公开 transitions call :func:`publish_record`; the record keeps
its ``public_snapshot`` and ``snapshot_hash`` (the version's content and digest), and the portal
reads the :class:`PublicationVersion` rows. Every change is in the models' history.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from jixiao.core.types import with_reason
from jixiao.disclosure.content import (
    Classified,
    digest,
    kind_of,
    public_content,
    publication_year,
    subject_key,
    title_of,
)
from jixiao.disclosure.models import ExternalPosting, Publication, PublicationVersion


class PublicationError(Exception):
    """A refused publication action, in words for the user."""


def _default_note(record: Any) -> str:
    if kind_of(record) == "target" and getattr(record, "version", 1) > 1:
        reason = record.adjustment_reason or "按程序调整"
        return f"绩效目标调整为第{record.version}版：{reason}"
    return ""


@transaction.atomic
def publish_record(record: Any, user: Any, note: str = "", *, when: Any = None) -> PublicationVersion:
    """Publish ``record`` (first version) or a new version of its publication with a 更正说明.

    Refuses a 涉密 record, and a new version identical to the current one. Sets the record's
    ``public_snapshot``, ``snapshot_hash`` and ``published_at`` (the caller saves the record)."""
    try:
        content, sha = digest(public_content(record))
    except Classified as exc:
        raise PublicationError(str(exc)) from exc
    when = when or timezone.now()
    key = subject_key(record)
    publication = Publication.objects.select_for_update().filter(subject_key=key).first()
    if publication is None:
        publication = Publication(kind=kind_of(record), year=publication_year(record), unit=record.unit,
                                  project=record.project, subject_key=key, title=title_of(record, content),
                                  current_number=1, first_published_at=when)
        with_reason(publication, "首次公开")
        publication.save()
        number = 1
    else:
        current = publication.current()
        if current.sha256 == sha and not publication.is_withdrawn:
            raise PublicationError("公开内容与现行版本相同，无需重新公开。")
        note = (note or _default_note(record)).strip()
        if not note:
            raise PublicationError("重新公开须填写更正说明。")
        number = publication.versions.count() + 1
        publication.current_number = number
        publication.title = title_of(record, content)
        publication.withdrawn_at, publication.withdrawn_by, publication.withdrawal_reason = None, None, ""
        with_reason(publication, f"发布第{number}版：{note}")
        publication.save()
    version = PublicationVersion.objects.create(
        publication=publication, number=number, content=content, sha256=sha, published_at=when, published_by=user,
        correction_note=note.strip() if number > 1 else "", source_model=record._meta.label_lower,
        source_pk=record.pk)
    from jixiao.disclosure.jobs import request_pdf

    request_pdf(version)  # the worker prints its PDF after the commit
    record.public_snapshot, record.snapshot_hash, record.published_at = content, sha, when
    return version


def source_record(version: PublicationVersion) -> Any:
    model = apps.get_model(version.source_model)
    return model.objects.get(pk=version.source_pk)


def current_source(publication: Publication) -> Any:
    """The record whose content the publication shows now: for targets, the current approved version."""
    record = source_record(publication.current())
    if kind_of(record) == "target":
        newer = type(record).objects.filter(pk__in=_target_chain(record)).filter(
            state__in=("approved", "published")).order_by("-version").first()
        return newer or record
    return record


def _target_chain(record: Any) -> list[int]:
    model = type(record)
    if record.project_id:
        return list(model.objects.filter(project_id=record.project_id).values_list("pk", flat=True))
    return list(model.objects.filter(unit_id=record.unit_id, year=record.year, kind=record.kind)
                .values_list("pk", flat=True))


@transaction.atomic
def correct(publication: Publication, user: Any, note: str) -> PublicationVersion:
    """更正: publish the record as it stands now as a new version; the old versions stay readable."""
    if not note.strip():
        raise PublicationError("请填写更正说明。")
    record = current_source(publication)
    version = publish_record(record, user, note)
    type(record).objects.filter(pk=record.pk).update(
        public_snapshot=record.public_snapshot, snapshot_hash=record.snapshot_hash, published_at=record.published_at)
    return version


@transaction.atomic
def withdraw(publication: Publication, user: Any, reason: str) -> Publication:
    """撤回 by the performance section: the content leaves the portal, a notice with the reason stays."""
    if user.role != "perf_section":
        raise PublicationError("只有财政局绩效管理股可以撤回公开信息。")
    if not reason.strip():
        raise PublicationError("请填写撤回原因。")
    publication = Publication.objects.select_for_update().get(pk=publication.pk)
    if publication.is_withdrawn:
        raise PublicationError("该公开信息已撤回。")
    publication.withdrawn_at, publication.withdrawn_by = timezone.now(), user
    publication.withdrawal_reason = reason.strip()
    with_reason(publication, f"撤回：{reason.strip()}")
    publication.save()
    return publication


def record_posting(publication: Publication, user: Any, site: str, url: str, posted_on: date) -> ExternalPosting:
    """Where else the item was published (department site, finance column, 区政府 portal)."""
    posting = ExternalPosting(publication=publication, site=site, url=url, posted_on=posted_on, recorded_by=user)
    posting.full_clean()
    with_reason(posting, "登记其他渠道公开")
    posting.save()
    return posting
