"""One way to show time and numbers: the formats themselves, in English and Italian."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from flask import render_template_string
from flask_babel import refresh

from commons import formatting
from commons.notifications.messages import render

WINTER = datetime(2026, 12, 17, 13, 5, tzinfo=UTC)  # 14:05 in Rome (CET)
SUMMER = datetime(2026, 7, 17, 13, 5, tzinfo=UTC)  # 15:05 in Rome (CEST)


def test_dates_in_english_and_italian():
    assert formatting.day_text(date(2026, 12, 17), "en") == "17 December 2026"
    assert formatting.day_text(date(2026, 12, 7), "it") == "07/12/2026"
    assert formatting.day_text("2026-12-17", "it") == "17/12/2026"
    assert formatting.day_text(None, "it") == ""


def test_a_time_shown_as_a_date_is_the_day_in_the_city():
    # 23:30 UTC on 16 December is already 17 December in Rome.
    late = datetime(2026, 12, 16, 23, 30, tzinfo=UTC)
    assert formatting.day_text(late, "en", "Europe/Rome") == "17 December 2026"
    assert formatting.day_text(late, "en", "UTC") == "16 December 2026"


def test_times_are_in_the_city_zone_and_labelled():
    assert formatting.moment_text(WINTER, "en", "Europe/Rome") == "17 December 2026, 14:05 CET"
    assert formatting.moment_text(WINTER, "it", "Europe/Rome") == "17/12/2026, 14:05 CET"
    assert formatting.moment_text(SUMMER, "it", "Europe/Rome") == "17/07/2026, 15:05 CEST"
    assert formatting.moment_text(WINTER, "en", "America/New_York").endswith("08:05 EST")
    # A naive time is the database's UTC.
    naive = WINTER.replace(tzinfo=None)
    assert formatting.moment_text(naive, "en", "Europe/Rome") == "17 December 2026, 14:05 CET"


def test_numbers_use_the_decimal_sign_and_drop_a_whole_value_s_point():
    assert formatting.number_text(10.0, "it") == "10"
    assert formatting.number_text(10.0, "en") == "10"
    assert formatting.number_text(10.5, "it") == "10,5"
    assert formatting.number_text(10.5, "en") == "10.5"
    assert formatting.number_text(Decimal("1234.5"), "it") == "1.234,5"
    assert formatting.number_text(26.04, "en", 1) == "26"
    assert formatting.number_text(26.25, "it", 1) == "26,2"


def test_jinja_filters_follow_the_reader_s_language(app):
    template = (
        "{{ day|date }} | {{ moment|datetime }} | {{ hours|number }} | {{ share|decimal(1) }}"
    )
    values = {"day": date(2026, 12, 17), "moment": WINTER, "hours": 10.0, "share": 12.5}
    with app.test_request_context(headers={"Accept-Language": "it"}):
        refresh()  # the language is chosen once per application context
        assert render_template_string(template, **values) == (
            "17/12/2026 | 17/12/2026, 14:05 CET | 10 | 12,5"
        )
    with app.test_request_context(headers={"Accept-Language": "en"}):
        refresh()
        assert render_template_string(template, **values) == (
            "17 December 2026 | 17 December 2026, 14:05 CET | 10 | 12.5"
        )


def test_the_city_time_zone_setting_is_used(app):
    app.config["CITY_TIMEZONE"] = "America/New_York"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        refresh()
        assert render_template_string("{{ m|datetime }}", m=WINTER) == (
            "17 December 2026, 08:05 EST"
        )


class _Note:
    kind = "integration_due"
    subject = body = "stored English text"
    params = {"label": "2026/000001", "title": "Orto", "due": "2026-07-01"}


def test_notification_texts_write_dates_for_each_reader(app):
    with app.test_request_context():
        subject_it, _ = render(_Note(), "it")
        subject_en, _ = render(_Note(), "en")
    assert "01/07/2026" in subject_it and "2026-07-01" not in subject_it
    assert subject_en == "Answer the office's request on 2026/000001 by 1 July 2026"


def test_amounts_keep_two_decimals_in_each_language():
    amount_text = formatting.amount_text
    assert amount_text(Decimal("1234567.5"), "en") == "1,234,567.50"
    assert amount_text(Decimal("1234567.5"), "it") == "1.234.567,50"
    assert amount_text(Decimal("250"), "it_IT") == "250,00"
    assert amount_text(Decimal("0.125"), "en") == "0.12"  # half to even, as the pact always had
