#!/usr/bin/env python3
"""Makes the PDFs hyoka must refuse or read despite protection, from a fixture printed by `make`.

    bad.py SOURCE.pdf OUT_FOLDER

locked.pdf: encrypted with a user password (cannot be opened without it);
permissions-only.pdf: encrypted with an owner password only (opens without one, as many
published PDFs do, printing or copying restricted).
"""
import sys

from pypdf import PdfReader, PdfWriter

source, out = sys.argv[1], sys.argv[2]
for name, user, owner in (("locked", "hyoka-user", "hyoka-owner"), ("permissions-only", "", "hyoka-owner")):
    writer = PdfWriter()
    for page in PdfReader(source).pages[:2]:
        writer.add_page(page)
    writer.encrypt(user_password=user, owner_password=owner, algorithm="AES-128")
    with open(f"{out}/{name}.pdf", "wb") as handle:
        writer.write(handle)
