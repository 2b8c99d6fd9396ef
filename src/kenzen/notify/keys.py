"""Key material on disk, never in the database: DKIM keys per sending domain, and the key
that encrypts webhook secrets.

Layout under ``KENZEN_HOME/keys`` (directories 0700, files 0600)::

    dkim/<domain>/<selector>.rsa.pem      RSA-2048, PKCS#1 PEM (what dkimpy signs with)
    dkim/<domain>/<selector>.ed25519      base64 Ed25519 seed (RFC 8463)
    webhook-secrets.key                   Fernet key for the webhook signing secrets

Every key present verifies mail; the newest key of each algorithm signs. Rotating is adding
a key (and its DNS record); retiring one is deleting its file once its mail no longer matters.
"""

from __future__ import annotations

import base64
import contextlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import nacl.encoding
import nacl.signing

from kenzen import clock
from kenzen.errors import InvalidInput
from kenzen.i18n import N_

if TYPE_CHECKING:
    # cryptography is loaded where an RSA key or a webhook secret is used: checking a mail
    # from a marketplace with Ed25519 keys, or none, does without it.
    from cryptography.fernet import Fernet

Algorithm = Literal["rsa", "ed25519"]
ALGORITHMS: tuple[Algorithm, ...] = ("rsa", "ed25519")
RSA_BITS = 2048
_SUFFIX: dict[Algorithm, str] = {"rsa": ".rsa.pem", "ed25519": ".ed25519"}
_SELECTOR = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_DOMAIN = re.compile(r"^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def check_domain(field: str, value: str) -> str:
    """A lower-case ASCII host name (internationalised names in their xn-- form)."""
    domain = value.strip().rstrip(".").lower()
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        raise InvalidInput(N_("error.notify.not_domain_name"), field=field, value=value) from None
    if not _DOMAIN.fullmatch(domain):
        raise InvalidInput(N_("error.notify.not_domain_name"), field=field, value=value)
    return domain


def check_selector(value: str) -> str:
    selector = value.strip().lower()
    if not _SELECTOR.fullmatch(selector):
        raise InvalidInput(N_("error.notify.selector_must_letters_digits_dns_label"), value=value)
    return selector


@dataclass(frozen=True, slots=True)
class DkimKey:
    domain: str
    selector: str
    algorithm: Algorithm
    private_key: bytes
    """What dkimpy's ``sign`` takes: PEM for RSA, the base64 seed for Ed25519."""
    public_key: str
    """Base64, as in the ``p=`` tag of the DNS record."""
    created: float

    @property
    def signature_algorithm(self) -> bytes:
        return b"rsa-sha256" if self.algorithm == "rsa" else b"ed25519-sha256"

    @property
    def record_name(self) -> str:
        return f"{self.selector}._domainkey.{self.domain}"

    @property
    def txt_value(self) -> str:
        """The DNS TXT record's text (RFC 6376 §3.6.1, RFC 8463 for Ed25519)."""
        return f"v=DKIM1; k={self.algorithm}; p={self.public_key}"

    def zone_line(self) -> str:
        """The record as a zone-file line, split into 255-byte strings as DNS requires."""
        text = self.txt_value
        chunks = " ".join(f'"{text[i : i + 255]}"' for i in range(0, len(text), 255))
        return f"{self.record_name}. IN TXT ( {chunks} )"


def _public_key(algorithm: Algorithm, private_key: bytes) -> str:
    if algorithm == "rsa":
        from cryptography.hazmat.primitives import serialization

        loaded = serialization.load_pem_private_key(private_key, password=None)
        der = loaded.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return base64.b64encode(der).decode("ascii")
    signing = nacl.signing.SigningKey(private_key, encoder=nacl.encoding.Base64Encoder)
    return signing.verify_key.encode(encoder=nacl.encoding.Base64Encoder).decode("ascii")


def _read_key(path: Path, algorithm: Algorithm, selector: str) -> DkimKey:
    private_key = path.read_bytes().strip()
    return DkimKey(
        domain=path.parent.name,
        selector=selector,
        algorithm=algorithm,
        private_key=private_key,
        public_key=_public_key(algorithm, private_key),
        created=path.stat().st_mtime,
    )


def _write_secret(path: Path, data: bytes) -> None:
    """Create ``path`` readable by its owner only; never overwrite a key."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.parent.chmod(0o700)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)


class Keyring:
    """The keys under one ``keys_dir``."""

    def __init__(self, keys_dir: Path) -> None:
        self.keys_dir = keys_dir

    def _domain_dir(self, domain: str) -> Path:
        return self.keys_dir / "dkim" / check_domain("domain", domain)

    def _private_dirs(self) -> None:
        """The keys folder and its dkim folder are the owner's only, like the keys."""
        for folder in (self.keys_dir, self.keys_dir / "dkim"):
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            folder.chmod(0o700)

    def _stored(self, domain: str) -> Iterator[tuple[Path, Algorithm, str]]:
        """Each key file of ``domain``, with its algorithm and selector (nothing read yet)."""
        folder = self._domain_dir(domain)
        if not folder.is_dir():
            return
        for path in folder.iterdir():
            for algorithm, suffix in _SUFFIX.items():
                if path.name.endswith(suffix):
                    yield path, algorithm, path.name.removesuffix(suffix)

    def dkim_keys(self, domain: str) -> list[DkimKey]:
        """Every key of ``domain``, oldest first."""
        found = [
            _read_key(path, algorithm, selector)
            for path, algorithm, selector in self._stored(domain)
        ]
        return sorted(found, key=lambda key: (key.created, key.selector))

    def signing_keys(self, domain: str) -> list[DkimKey]:
        """The newest key of each algorithm: mail is signed once with each."""
        newest: dict[Algorithm, DkimKey] = {}
        for key in self.dkim_keys(domain):
            newest[key.algorithm] = key
        return [newest[a] for a in ALGORITHMS if a in newest]

    def public_record(self, domain: str, selector: str) -> str | None:
        """The TXT record a resolver would return for ``selector._domainkey.domain``. Only
        that key is read: deriving an RSA public key costs a mail check tens of milliseconds.
        The selector (from the mail) is compared with the files' names, never made a path."""
        for path, algorithm, stored in self._stored(domain):
            if stored == selector:
                return _read_key(path, algorithm, stored).txt_value
        return None

    def generate_dkim(self, domain: str, algorithm: Algorithm, selector: str | None) -> DkimKey:
        if algorithm not in ALGORITHMS:
            raise InvalidInput(N_("error.notify.algorithm_not_rsa_ed25519"), algorithm=algorithm)
        stamp = clock.now().strftime("%Y%m%d%H%M%S")
        name = check_selector(selector or f"kz-{'rsa' if algorithm == 'rsa' else 'ed'}-{stamp}")
        if any(key.selector == name for key in self.dkim_keys(domain)):
            raise InvalidInput(
                N_("error.notify.selector_already_has_key"), name=name, domain=domain
            )
        if algorithm == "rsa":
            from cryptography.hazmat.primitives import serialization
            from cryptography.hazmat.primitives.asymmetric import rsa

            private = rsa.generate_private_key(public_exponent=65537, key_size=RSA_BITS)
            data = private.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.TraditionalOpenSSL,
                serialization.NoEncryption(),
            )
        else:
            data = nacl.signing.SigningKey.generate().encode(encoder=nacl.encoding.Base64Encoder)
        self._private_dirs()
        _write_secret(self._domain_dir(domain) / f"{name}{_SUFFIX[algorithm]}", data)
        return next(k for k in self.dkim_keys(domain) if k.selector == name)

    def _fernet(self) -> Fernet:
        from cryptography.fernet import Fernet

        path = self.keys_dir / "webhook-secrets.key"
        if not path.exists():
            self._private_dirs()
            # Another process may create it first: then use theirs.
            with contextlib.suppress(FileExistsError):
                _write_secret(path, Fernet.generate_key())
        return Fernet(path.read_bytes().strip())

    def seal(self, secret: str) -> str:
        """Encrypt a webhook secret for storage in the database."""
        return self._fernet().encrypt(secret.encode()).decode("ascii")

    def unseal(self, ciphertext: str) -> str:
        return self._fernet().decrypt(ciphertext.encode("ascii")).decode()
