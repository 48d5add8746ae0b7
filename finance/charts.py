"""Starting charts of accounts (SAK EMKM), copied into each new book and editable there.

Each row: code, name, type, normal balance, role, parent code, is_header. The names are the
ones treasurers know, in Bahasa Indonesia: they are the book's data, not interface text.
Roles tie the treasurer forms to accounts whatever a book renames or renumbers them to.
"""

A, L, E, INC, X = "asset", "liability", "equity", "income", "expense"
D, C = "debit", "credit"


def _header(code, name, kind, normal):
    return (code, name, kind, normal, "", None, True)


KSM_CHART = [
    _header("1", "Aset", A, D),
    ("1.01", "Kas", A, D, "cash", "1", False),
    ("1.02", "Bank", A, D, "bank", "1", False),
    ("1.03", "Piutang Pinjaman Anggota", A, D, "loans_receivable", "1", False),
    ("1.04", "Piutang Jasa", A, D, "interest_receivable", "1", False),
    ("1.05", "Cadangan Kerugian Piutang", A, C, "loan_loss_allowance", "1", False),
    ("1.06", "Persediaan", A, D, "inventory", "1", False),
    ("1.07", "Inventaris", A, D, "equipment", "1", False),
    ("1.08", "Akumulasi Penyusutan", A, C, "accumulated_depreciation", "1", False),
    _header("2", "Liabilitas", L, C),
    ("2.01", "Simpanan Sukarela", L, C, "savings_voluntary", "2", False),
    ("2.02", "Dana Sosial", L, C, "social_fund", "2", False),
    ("2.03", "Utang Pinjaman", L, C, "borrowings", "2", False),
    ("2.04", "Titipan", L, C, "deposits_held", "2", False),
    ("2.05", "Dana Pengurus", L, C, "fund_board", "2", False),
    ("2.06", "Dana Pembagian SHU", L, C, "surplus_payable", "2", False),
    _header("3", "Ekuitas", E, C),
    ("3.01", "Simpanan Pokok", E, C, "savings_principal", "3", False),
    ("3.02", "Simpanan Wajib", E, C, "savings_mandatory", "3", False),
    ("3.03", "Hibah/Modal Donasi", E, C, "grant", "3", False),
    ("3.04", "Cadangan", E, C, "reserve", "3", False),
    ("3.05", "SHU Ditahan", E, C, "retained_surplus", "3", False),
    ("3.06", "SHU Tahun Berjalan", E, C, "current_surplus", "3", False),
    _header("4", "Pendapatan", INC, C),
    ("4.01", "Jasa Pinjaman", INC, C, "income_interest", "4", False),
    ("4.02", "Denda", INC, C, "income_fines", "4", False),
    ("4.03", "Pendapatan Usaha", INC, C, "income_business", "4", False),
    ("4.04", "Pendapatan Lain (bunga bank)", INC, C, "income_other", "4", False),
    ("4.05", "Pendapatan Administrasi Pinjaman", INC, C, "income_admin", "4", False),
    _header("5", "Beban", X, D),
    ("5.01", "Administrasi dan ATK", X, D, "expense_admin", "5", False),
    ("5.02", "Rapat", X, D, "expense_meeting", "5", False),
    ("5.03", "Honor Pengurus", X, D, "expense_honorarium", "5", False),
    ("5.04", "Penyusutan", X, D, "expense_depreciation", "5", False),
    ("5.05", "Bunga", X, D, "expense_interest", "5", False),
    ("5.06", "Beban Lain", X, D, "expense_other", "5", False),
    ("5.07", "Beban Penyisihan Kerugian Piutang", X, D, "expense_loan_loss", "5", False),
    ("5.08", "Beban Administrasi Bank", X, D, "expense_bank_charges", "5", False),
    ("5.09", "Beban Pajak Bunga Bank", X, D, "expense_tax", "5", False),
]

BUMDES_CHART = [
    _header("1", "Aset", A, D),
    ("1.01", "Kas", A, D, "cash", "1", False),
    ("1.02", "Bank", A, D, "bank", "1", False),
    ("1.03", "Piutang Usaha", A, D, "receivables", "1", False),
    ("1.04", "Persediaan", A, D, "inventory", "1", False),
    ("1.05", "Aset Tetap", A, D, "equipment", "1", False),
    ("1.06", "Akumulasi Penyusutan", A, C, "accumulated_depreciation", "1", False),
    ("1.07", "Piutang Pinjaman KSM", A, D, "loans_receivable", "1", False),
    ("1.08", "Cadangan Kerugian Piutang", A, C, "loan_loss_allowance", "1", False),
    _header("2", "Liabilitas", L, C),
    ("2.01", "Utang Usaha", L, C, "payables", "2", False),
    ("2.02", "Utang Pinjaman", L, C, "borrowings", "2", False),
    ("2.03", "Utang Bagi Hasil PADes", L, C, "pades_payable", "2", False),
    ("2.04", "Dana Lain-lain", L, C, "fund_other", "2", False),
    _header("3", "Ekuitas", E, C),
    ("3.01", "Penyertaan Modal Desa", E, C, "village_capital", "3", False),
    ("3.02", "Penyertaan Modal Masyarakat", E, C, "community_capital", "3", False),
    ("3.03", "Hibah/Modal Donasi", E, C, "grant", "3", False),
    ("3.04", "Cadangan", E, C, "reserve", "3", False),
    ("3.05", "Laba Ditahan", E, C, "retained_surplus", "3", False),
    ("3.06", "Laba Tahun Berjalan", E, C, "current_surplus", "3", False),
    _header("4", "Pendapatan", INC, C),
    ("4.01", "Pendapatan Unit Usaha", INC, C, "income_business", "4", False),
    ("4.02", "Pendapatan Lain", INC, C, "income_other", "4", False),
    ("4.03", "Jasa Pinjaman KSM", INC, C, "income_interest", "4", False),
    ("4.04", "Denda", INC, C, "income_fines", "4", False),
    ("4.05", "Pendapatan Administrasi Pinjaman", INC, C, "income_admin", "4", False),
    _header("5", "Beban", X, D),
    ("5.01", "Harga Pokok Penjualan", X, D, "expense_cost_of_sales", "5", False),
    ("5.02", "Gaji dan Honor", X, D, "expense_honorarium", "5", False),
    ("5.03", "Administrasi dan Umum", X, D, "expense_admin", "5", False),
    ("5.04", "Penyusutan", X, D, "expense_depreciation", "5", False),
    ("5.05", "Beban Lain", X, D, "expense_other", "5", False),
    ("5.06", "Bunga", X, D, "expense_interest", "5", False),
    ("5.07", "Beban Penyisihan Kerugian Piutang", X, D, "expense_loan_loss", "5", False),
    ("5.08", "Beban Administrasi Bank", X, D, "expense_bank_charges", "5", False),
    ("5.09", "Beban Pajak Bunga Bank", X, D, "expense_tax", "5", False),
]

COOPERATIVE_CHART = [
    _header("1", "Aset", A, D),
    ("1.01", "Kas", A, D, "cash", "1", False),
    ("1.02", "Bank", A, D, "bank", "1", False),
    ("1.03", "Piutang Pinjaman Anggota", A, D, "loans_receivable", "1", False),
    ("1.04", "Cadangan Kerugian Piutang", A, C, "loan_loss_allowance", "1", False),
    ("1.05", "Persediaan", A, D, "inventory", "1", False),
    ("1.06", "Aset Tetap", A, D, "equipment", "1", False),
    ("1.07", "Akumulasi Penyusutan", A, C, "accumulated_depreciation", "1", False),
    _header("2", "Liabilitas", L, C),
    ("2.01", "Simpanan Sukarela", L, C, "savings_voluntary", "2", False),
    ("2.02", "Dana Pembagian SHU", L, C, "surplus_payable", "2", False),
    ("2.03", "Utang Pinjaman", L, C, "borrowings", "2", False),
    ("2.04", "Dana Pengurus", L, C, "fund_board", "2", False),
    ("2.05", "Dana Karyawan", L, C, "fund_staff", "2", False),
    ("2.06", "Dana Pendidikan", L, C, "fund_education", "2", False),
    ("2.07", "Dana Sosial", L, C, "fund_social", "2", False),
    ("2.08", "Dana Lain-lain", L, C, "fund_other", "2", False),
    _header("3", "Ekuitas", E, C),
    ("3.01", "Simpanan Pokok", E, C, "savings_principal", "3", False),
    ("3.02", "Simpanan Wajib", E, C, "savings_mandatory", "3", False),
    ("3.03", "Hibah/Modal Donasi", E, C, "grant", "3", False),
    ("3.04", "Cadangan", E, C, "reserve", "3", False),
    ("3.05", "SHU Ditahan", E, C, "retained_surplus", "3", False),
    ("3.06", "SHU Tahun Berjalan", E, C, "current_surplus", "3", False),
    _header("4", "Pendapatan", INC, C),
    ("4.01", "Jasa Pinjaman", INC, C, "income_interest", "4", False),
    ("4.02", "Pendapatan Usaha", INC, C, "income_business", "4", False),
    ("4.03", "Pendapatan Lain", INC, C, "income_other", "4", False),
    ("4.04", "Denda", INC, C, "income_fines", "4", False),
    ("4.05", "Pendapatan Administrasi Pinjaman", INC, C, "income_admin", "4", False),
    _header("5", "Beban", X, D),
    ("5.01", "Beban Usaha", X, D, "expense_cost_of_sales", "5", False),
    ("5.02", "Honor Pengurus dan Karyawan", X, D, "expense_honorarium", "5", False),
    ("5.03", "Administrasi dan Umum", X, D, "expense_admin", "5", False),
    ("5.04", "Rapat Anggota", X, D, "expense_meeting", "5", False),
    ("5.05", "Penyusutan", X, D, "expense_depreciation", "5", False),
    ("5.06", "Beban Lain", X, D, "expense_other", "5", False),
    ("5.07", "Bunga", X, D, "expense_interest", "5", False),
    ("5.08", "Beban Penyisihan Kerugian Piutang", X, D, "expense_loan_loss", "5", False),
    ("5.09", "Beban Administrasi Bank", X, D, "expense_bank_charges", "5", False),
    ("5.10", "Beban Pajak Bunga Bank", X, D, "expense_tax", "5", False),
]

CHARTS = {"ksm": KSM_CHART, "bumdes": BUMDES_CHART, "cooperative": COOPERATIVE_CHART}

# Savings types a member deposits into, by account role.
SAVINGS_ROLES = ("savings_principal", "savings_mandatory", "savings_voluntary")
# Accounts whose lines must name a member (in a cooperative's or BUMDes's books, a member KSM):
# the member sub-ledgers.
MEMBER_LEDGER_ROLES = (*SAVINGS_ROLES, "loans_receivable", "surplus_payable")
