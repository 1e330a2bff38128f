"""`carehub init` and `carehub users add`."""

from __future__ import annotations

from sqlalchemy import func, select

from carehub.auth.models import User
from carehub.cli import main
from carehub.core.audit import AuditLog
from carehub.registry.models import ServiceType, Skill
from carehub.subsidy.models import SubsidyPolicy


def _counts(db) -> tuple[int, int, int, int]:
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (Skill, ServiceType, SubsidyPolicy, AuditLog)
    )


def test_init_migrates_loads_defaults_and_is_idempotent(app, db) -> None:
    runner = app.test_cli_runner()
    first = runner.invoke(main, ["init"])
    assert first.exit_code == 0, first.output
    before = _counts(db)
    second = runner.invoke(main, ["init"])
    assert second.exit_code == 0, second.output
    assert "up to date" in second.output
    assert _counts(db) == before
    policy = db.session.scalar(select(SubsidyPolicy))
    assert (policy.amount_mild_fen, policy.amount_moderate_fen, policy.amount_severe_fen) == (
        20000,
        40000,
        60000,
    )
    # Tianjin's seven categories.
    assert set(policy.eligible_hardships) == {
        "dibao",
        "low_income",
        "tekun",
        "disabled",
        "youfu",
        "childless_80",
        "only_child_80",
    }
    codes = set(db.session.scalars(select(ServiceType.code)))
    assert {
        "meal_delivery",
        "cleaning",
        "bathing",
        "health_check",
        "companionship",
        "emergency",
    } <= codes


def test_init_keeps_an_admins_edit_of_the_catalogue(app, db) -> None:
    meal = db.session.scalar(select(ServiceType).where(ServiceType.code == "meal_delivery"))
    meal.price_fen = 1234
    db.session.commit()
    assert app.test_cli_runner().invoke(main, ["init"]).exit_code == 0
    db.session.refresh(meal)
    assert meal.price_fen == 1234


def test_users_add_reads_the_password_from_stdin(app, db, make) -> None:
    caregiver = make.caregiver()
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(
        main,
        [
            "users",
            "add",
            "wang",
            "--role",
            "caregiver",
            "--caregiver",
            caregiver.code,
            "--password-stdin",
        ],
        input="a-long-password\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.username == "wang"))
    assert user.caregiver_id == caregiver.id and user.check_password("a-long-password")


def test_users_add_refuses_bad_input_and_writes_nothing(app, db) -> None:
    runner = app.test_cli_runner()
    cases = [
        (["users", "add", "a", "--role", "admin", "--password-stdin"], "short\n", "at least 8"),
        (
            ["users", "add", "b", "--role", "caregiver", "--password-stdin"],
            "long-enough-pw\n",
            "linked to a caregiver",
        ),
        (
            ["users", "add", "c", "--role", "dispatcher", "--station", "NOPE", "--password-stdin"],
            "long-enough-pw\n",
            "No station",
        ),
        (
            ["users", "add", "d", "--role", "boss", "--password-stdin"],
            "long-enough-pw\n",
            "Invalid value",
        ),
    ]
    for args, stdin, message in cases:
        result = runner.invoke(main, args, input=stdin)
        assert result.exit_code != 0
        assert message in result.output, result.output
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_users_add_refuses_a_taken_username(app, db, make) -> None:
    make.user(username="taken")
    db.session.commit()
    result = app.test_cli_runner().invoke(
        main,
        ["users", "add", "taken", "--role", "admin", "--password-stdin"],
        input="long-enough-pw\n",
    )
    assert result.exit_code == 1 and "taken" in result.output
