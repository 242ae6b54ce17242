"""Names cannot hide characters or pass for staff: reserved words and real staff members' names."""

from __future__ import annotations

import pytest

from community.auth.names import imitates, looks_like_staff, normalise_username, skeleton
from community.core.errors import DomainError
from tests.factories import add_to_group, make_group, make_user, post_form


@pytest.mark.parametrize(
    "name",
    ["admin", "Adm1n", "ADMIN", "аdmin", "Adrnin", "M0derator", "Moder4tor", "Kring Support", "r00t", "S t a f f"],
)
def test_names_that_pass_for_staff_are_recognised(name):
    assert looks_like_staff(name)


@pytest.mark.parametrize(
    "name",
    ["Sam", "Noor", "Milan", "Ingrid", "Badminton fan", "badminton_fan", "Mila 1990", "Staffan", "Supportive mum",
     "Kringloop", "Systemic", "Rootsy"],
)  # fmt: skip
def test_ordinary_names_are_not(name):
    assert not looks_like_staff(name)


@pytest.mark.parametrize("name", ["AdminTeam", "sysadmin", "Moderatorteam", "the_admin", "Kring-Staff"])
def test_staff_words_glued_to_others_are_recognised(name):
    assert looks_like_staff(name)


def test_a_name_that_reads_like_a_staff_members_name_imitates_it():
    assert imitates("Nurse lngrid", ["Nurse Ingrid"])  # lower-case L for capital i
    assert imitates("NURSE INGR1D", ["Nurse Ingrid"])
    assert imitates("Nurse  Ingrid.", ["Nurse Ingrid"])
    assert not imitates("Ingrid", ["Nurse Ingrid"])


def test_a_fullwidth_username_signs_in_as_it_was_registered(app, client):
    from tests.factories import PASSWORD, sign_in

    with app.app_context():
        make_user("sam")
    sign_in(client, "ｓａｍ", PASSWORD)


def test_usernames_cannot_pass_for_staff_unless_the_account_is_staff():
    with pytest.raises(DomainError, match="staff member"):
        normalise_username("the_admin")
    assert normalise_username("the_admin", allow_staff_words=True)[0] == "the_admin"


def test_look_alike_characters_share_one_skeleton():
    assert skeleton("Adm1n") == skeleton("admin") == skeleton("ADMlN") == skeleton("Adrnin")


def test_a_member_cannot_take_a_staff_members_display_name(app, client):
    with app.app_context():
        admin = make_user("boss", admin=True, display_name="Boss")
        group = make_group(admin, "Parents")
        nurse = make_user("ingrid", display_name="Nurse Ingrid")
        add_to_group(admin, group, nurse, role="moderator")
        make_user("alex")
    from tests.factories import sign_in

    sign_in(client, "alex")
    response = post_form(client, "/account/profile", {"display_name": "Nurse lngrid", "language": "en", "email": ""})
    assert response.status_code == 400
    assert "mistaken for a staff member" in response.get_data(as_text=True)
