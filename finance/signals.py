"""What the books tell the apps above them. Sent inside the transaction that made the change,
so a receiver's writes commit or roll back with it."""

from django.dispatch import Signal

# A book's monthly figures changed: `book`, and `changes`, {month: {figure: delta}} (the
# figures of finance/figures.py and BookMonth, plus "books_current": +1/-1 when the book
# became current or stopped being so on that month's end).
book_figures_changed = Signal()
