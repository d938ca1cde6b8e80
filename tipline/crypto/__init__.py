"""Tipline's cryptography: plain functions over bytes, built on PyNaCl (libsodium).

Nothing here knows about Django, models or files. Callers pass keys and data as
bytes and get bytes back; PyNaCl's types never leave this package. Plaintext is never
logged or written anywhere by these functions.

The threat this package handles throughout: an attacker who obtains a copy of the
database and the file store (a stolen backup, a compromised storage bucket, a
seized disk) must learn nothing about report content from it.
"""

from tipline.crypto.handles import (
    HandleKeys,
    MalformedHandle,
    decode_handle,
    derive_handle_keys,
    encode_handle,
    new_handle,
)
from tipline.crypto.keys import (
    KEY_BYTES,
    DecryptionFailed,
    KeyPair,
    PasswordCost,
    decrypt,
    encrypt,
    generate_keypair,
    lock_with_password,
    new_data_key,
    open_as_staff,
    public_key_of,
    seal_for_staff,
    unlock_with_password,
)
from tipline.crypto.receipts import (
    RECEIPT_DIGITS,
    MalformedReceipt,
    ReceiptKeys,
    derive_receipt_keys,
    format_receipt,
    normalise_receipt,
    receipt_from_token,
    reporter_only_key,
)
from tipline.crypto.streams import (
    ChunkReader,
    EncryptedSpool,
    EncryptingReader,
    decrypt_stream,
    derive_file_key,
    encrypt_stream,
    new_salt,
)

__all__ = [
    "KEY_BYTES",
    "RECEIPT_DIGITS",
    "ChunkReader",
    "DecryptionFailed",
    "EncryptedSpool",
    "EncryptingReader",
    "HandleKeys",
    "KeyPair",
    "MalformedHandle",
    "MalformedReceipt",
    "PasswordCost",
    "ReceiptKeys",
    "decode_handle",
    "decrypt",
    "decrypt_stream",
    "derive_file_key",
    "derive_handle_keys",
    "derive_receipt_keys",
    "encode_handle",
    "encrypt",
    "encrypt_stream",
    "format_receipt",
    "generate_keypair",
    "lock_with_password",
    "new_data_key",
    "new_handle",
    "new_salt",
    "normalise_receipt",
    "open_as_staff",
    "public_key_of",
    "receipt_from_token",
    "reporter_only_key",
    "seal_for_staff",
    "unlock_with_password",
]
