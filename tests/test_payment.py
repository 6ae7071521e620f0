"""Payment periods parsed into days, as contracts write them."""

from __future__ import annotations

import pytest

from rmplint.detect.payment import payment_days


@pytest.mark.parametrize(
    "text, days",
    [
        ("The Customer shall pay within sixty (60) days of the end of the month following receipt of a valid invoice.", 90),
        ("Payment terms are Net 90.", 90),
        ("Invoices are payable within thirty (30) days of receipt.", 30),
        ("The Client shall pay each valid invoice within 14 days.", 14),
        ("Payment shall be made within two weeks of the invoice date.", 14),
        ("The Authority shall pay within forty-five days of receipt of an undisputed invoice.", 45),
        ("Payment is due within ten working days of the invoice.", 14),
        ("Invoices are paid at the end of the month following the month of invoice.", 30),
    ],
)
def test_payment_periods(text, days):
    assert max(payment_days(text)) == days


@pytest.mark.parametrize(
    "text",
    [
        "Interest accrues if payment is more than 90 days late.",
        "Either party may terminate on 30 days' notice.",
        "The defects period is 12 months from completion.",
    ],
)
def test_periods_that_are_not_payment_terms(text):
    assert payment_days(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "The due date for each interim payment is seven days after the relevant valuation date.",
        "Not later than five days after the due date the Contractor shall give a payment notice.",
        "Any overpayment shall be repaid within 14 days of demand.",
    ],
)
def test_anchors_that_are_not_an_invoice_are_not_payment_terms(text):
    assert payment_days(text) == []


def test_a_table_cell_labelled_payment_needs_no_payment_word():
    assert payment_days("60 days", labelled=True) == [60]
    assert payment_days("60 days") == []
