"""Issue 17 item 11: phone numbers encrypted at rest (SM4-GCM), shown masked, found by a keyed hash."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.urls import reverse

from conftest import make_user
from jixiao.accounts.models import User

pytestmark = pytest.mark.django_db


def stored_phone(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone, phone_index FROM accounts_user WHERE id = %s", [pk])
        phone, index = cursor.fetchone()
    assert index and "13912345678" not in index
    return str(phone)


def test_a_phone_number_is_stored_encrypted_shown_masked_and_found_by_its_keyed_hash(
        org: Any, users: dict[str, Any], login: Any) -> None:
    client = login(users["sys_admin"])
    response = client.post(reverse("accounts:user_create"), {"username": "wang", "real_name": "王五",
                                                             "phone": "13912345678", "password": "Init#2021pw"})
    assert response.status_code == 302
    user = User.objects.get(username="wang")
    assert user.phone == "13912345678"  # the application reads the plain number
    raw = stored_phone(user.pk)
    assert raw.startswith("sm4gcm:") and "13912345678" not in raw and "5678" not in raw
    page = client.get(reverse("accounts:user_detail", kwargs={"pk": user.pk})).content.decode()
    assert "139****5678" in page and "13912345678" not in page
    found = client.get(reverse("accounts:user_list") + "?q=13912345678").content.decode()
    assert "王五" in found
    assert "王五" not in client.get(reverse("accounts:user_list") + "?q=13912345679").content.decode()


def test_the_same_number_encrypts_differently_and_another_key_cannot_read_it(org: Any, settings: Any) -> None:
    from cryptography.exceptions import InvalidTag

    from jixiao.core.crypto import decrypt, encrypt

    a, b = encrypt("13912345678"), encrypt("13912345678")
    assert a != b and decrypt(a) == decrypt(b) == "13912345678"
    settings.JIXIAO_DATA_KEY = "00" * 16
    with pytest.raises(InvalidTag):
        decrypt(a)


def test_every_phone_field_is_encrypted_at_rest(org: dict[str, Any]) -> None:
    """Agencies', experts' and every document's contact phone, not only the accounts'."""
    from django.apps import apps

    from jixiao.core.crypto import EncryptedCharField
    from jixiao.evaluation.models import Agency
    from jixiao.targets.services import open_project_declaration

    phones = [(m, f) for m in apps.get_models() for f in m._meta.concrete_fields
              if "phone" in f.name and not f.name.endswith("_index")]
    assert phones and all(isinstance(f, EncryptedCharField) for _, f in phones), [
        f"{m._meta.label}.{f.name}" for m, f in phones if not isinstance(f, EncryptedCharField)]
    agency = Agency.objects.create(name="测试事务所", phone="13812345678")
    declaration = open_project_declaration(org["projects"]["a"], make_user("unit_approver", "ua", unit=org["units"]["a"]))
    declaration.contact_phone = "0730-8421234"
    declaration.save()
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM evaluation_agency WHERE id = %s", [agency.pk])
        assert cursor.fetchone()[0].startswith("sm4gcm:")
        cursor.execute("SELECT contact_phone FROM targets_targetdeclaration WHERE id = %s", [declaration.pk])
        assert cursor.fetchone()[0].startswith("sm4gcm:")
    declaration.refresh_from_db()
    assert declaration.contact_phone == "0730-8421234"
