"""The member lines of the meeting sheet, written in Python.

A sheet of 25 members is 25 lines of a dozen boxes, labels and notes each; through the template
engine that was most of the page's work. `{% sheet_lines rows %}` writes the same HTML
(`MeetingSheetForm.rows()` gives each line its bound fields and errors): every box keeps its
name, id, value, label, `aria-invalid` and `aria-describedby` pointing at its error, every text
is escaped, and every sentence is the same translation as before.
"""

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from finance.money import rupiah
from ksm_portal.inputs import escape as esc

register = template.Library()


def _errors(box) -> str:
    """The box's error, with the id its aria-describedby names."""
    if not box.errors:
        return ""
    text = esc(" ").join(esc(error) for error in box.errors)
    return f'<div class="invalid-feedback d-block" id="{esc(box.auto_id)}_error">{text}</div>'


def _loan_note(row) -> str:
    ref = esc(row.loan.reference)
    note = _("Loan %(ref)s") % {"ref": ref} + ": "
    position = row.position
    if position is None:
        return note + esc(_("Disbursed after this date."))
    note += _("Owes %(balance)s; due now %(due)s") % {
        "balance": esc(rupiah(position.balance)),
        "due": esc(rupiah(row.instalment_due)),
    }
    if row.fines_due:
        note += " " + _("(with a late fine of %(fine)s)") % {"fine": esc(rupiah(row.fines_due))}
    if position.days_past_due:
        late = ngettext("%(days)s day late", "%(days)s days late", position.days_past_due)
        note += f' · <span class="text-danger">{late % {"days": position.days_past_due}}</span>'
    return note


def _line(item: dict) -> str:
    row = item["row"]
    member = row.member
    name = esc(member.full_name)
    present, paid_for = item["present"], item["paid_for"]
    present_id, paid_id = esc(present.auto_id), esc(paid_for.auto_id)
    classes = "meeting-line"
    if item["invalid"]:
        classes += " border-danger"
    if not item["is_present"]:
        classes += " absent"
    html = [
        f'\n  <div class="{classes}" id="line-{member.pk}" data-member="{member.pk}">'
        f"{item['on_sheet']}\n"
        '    <div class="ml-main">\n'
        '      <div class="ml-who">\n'
        '        <div class="form-check form-switch d-flex align-items-center gap-2 ps-0 mb-0">\n'
        f'          <input type="checkbox" name="{esc(present.html_name)}" id="{present_id}"'
        ' class="form-check-input ms-0 flex-shrink-0 ml-present"'
        f"{' checked' if item['is_present'] else ''}>\n"
        '          <label class="form-check-label fw-semibold text-truncate ml-name"'
        f' for="{present_id}">{name}</label>\n'
        "        </div>\n"
        '        <div class="form-check small mb-0 titip">\n'
        f'          <input type="checkbox" name="{esc(paid_for.html_name)}" id="{paid_id}"'
        f' class="form-check-input ml-titip"{" checked" if paid_for.value() else ""}>\n'
        f'          <label class="form-check-label" for="{paid_id}"'
        f' title="{esc(paid_for.help_text)}">{esc(_("titip"))}</label>\n'
        "        </div>\n"
        "      </div>\n"
    ]
    box = item["mandatory"]
    if box is not None:
        html.append(
            f'      <div><label class="visually-hidden" for="{esc(box.auto_id)}">'
            f"{esc(box.label)}, {name}</label>{box}</div>\n"
        )
    html.append("      <div>")
    box = item["repayment"]
    if box is not None:
        label = _("Instalment, loan %(ref)s") % {"ref": esc(row.loan.reference)}
        html.append(
            f'<label class="visually-hidden" for="{esc(box.auto_id)}">{label}, {name}</label>{box}'
        )
    if not row.loan:
        html.append('<span class="text-muted small d-block text-center">\u2013</span>')
    html.append("</div>\n    </div>\n")
    for error in item["errors"]:
        html.append(f'    <div class="text-danger small line-error">{esc(error)}</div>\n')
    for box in (item["mandatory"], item["repayment"]):
        if box is not None and box.errors:
            html.append(f"    {_errors(box)}\n")
    if row.loan:
        summary = _("Sukarela, fines, loan %(ref)s") % {"ref": esc(row.loan.reference)}
    else:
        summary = esc(_("Sukarela, fines"))
    html.append(
        f'    <details class="ml-more"{" open" if item["extra_open"] else ""}>\n'
        f"      <summary>{summary}</summary>\n"
        '      <div class="ml-extra mt-1">\n'
    )
    for field, box in item["extra"]:
        html.append(
            "        <div>\n"
            f'          <label class="form-label small mb-0" for="{esc(box.auto_id)}">'
            f"{esc(box.label)}</label>\n"
            f"          {box}\n"
        )
        if box.errors:
            html.append(f"          {_errors(box)}\n")
        if field == "voluntary_out":
            balance = _("Balance %(balance)s") % {"balance": esc(rupiah(row.voluntary_balance))}
            html.append(f'          <div class="form-text mt-0">{balance}</div>\n')
        html.append("        </div>\n")
    html.append("      </div>\n")
    if row.loan:
        html.append(f'      <div class="form-text mt-1 loan-box">{_loan_note(row)}</div>\n')
    html.append("    </details>\n  </div>")
    return "".join(html)


@register.simple_tag
def sheet_lines(rows):
    """Every member's line of the sheet (`MeetingSheetForm.rows()`)."""
    return mark_safe("".join(_line(item) for item in rows))
