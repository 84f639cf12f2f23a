"""``twin secrets``: verify, store and rotate the encryption of stored credentials."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from agent.cli.common import DataDirOpt, console, system_for
from agent.records.audit import AuditOrigin, cli_actor
from db.crypto import Cipher, generate_key, write_key_file
from db.engine import transaction
from db.repo import audit
from db.repo.identity import get_user_by_email
from db.repo.secrets import reencrypt_all, set_stored_secret, verify_key

app = typer.Typer(help="Check, store and rotate encrypted credentials.", no_args_is_help=True)


@app.command("check")
def check(data_dir: DataDirOpt = None) -> None:
    """Check that the current key decrypts the stored credentials."""
    system = system_for(data_dir)
    cipher = system.cipher()
    with system.sessions() as session:
        n = verify_key(session=session, cipher=cipher)
    console.print(
        f"Key ok ({system.key_source}, fingerprint {cipher.fingerprint}); {n} secret kinds checked."
    )


@app.command("set")
def set_secret(
    name: Annotated[str, typer.Argument(help="Name, e.g. elevenlabs_api_key.")],
    data_dir: DataDirOpt = None,
    user: Annotated[str, typer.Option(help="Owner's email.")] = "creator@localhost",
) -> None:
    """Store an API key encrypted (read from the prompt, never echoed)."""
    value = typer.prompt(f"Value for {name}", hide_input=True)
    system = system_for(data_dir)
    cipher = system.cipher()
    with transaction(system.sessions) as session:
        owner = get_user_by_email(session=session, email=user)
        row = set_stored_secret(
            session=session, cipher=cipher, user_id=owner.id, name=name, value=value
        )
        audit.record(
            session=session,
            actor=cli_actor(),
            action="secret.set",
            subject_type="stored_secret",
            subject_id=name,
            origin=AuditOrigin.cli,
            details={"name": name, "stored_id": str(row.id)},
            user_id=owner.id,
        )
    console.print(f"Stored {name} encrypted.")


@app.command("rotate")
def rotate(
    data_dir: DataDirOpt = None,
    new_key_env: Annotated[
        str | None,
        typer.Option(
            "--new-key-env",
            help="Name of an environment variable holding the new key (when the key comes from TWIN_SECRET_KEY).",
        ),
    ] = None,
) -> None:
    """Re-encrypt every stored credential under a new key, in one transaction."""
    system = system_for(data_dir)
    old = system.cipher()
    if old.source == "env":
        if not new_key_env or not os.environ.get(new_key_env):
            raise typer.BadParameter(
                "the key comes from TWIN_SECRET_KEY: put the new key in an environment "
                "variable and pass its name with --new-key-env",
                param_hint="--new-key-env",
            )
        new = Cipher.from_material(os.environ[new_key_env], "env")
        material = None
    else:
        material = generate_key()
        new = Cipher.from_material(material, "key_file")
    key_file = system.settings.key_file
    pending = key_file.with_name("secret.key.new")
    if material is not None:
        write_key_file(pending, material)  # kept until the database commit succeeds
    try:
        with transaction(system.sessions) as session:
            count = reencrypt_all(session=session, old=old, new=new)
            audit.record(
                session=session,
                actor=cli_actor(),
                action="secret.rotate",
                subject_type="encryption_key",
                subject_id=new.fingerprint,
                origin=AuditOrigin.cli,
                details={"reencrypted": count, "key_source": new.source},
                before={"fingerprint": old.fingerprint, "key_source": old.source},
            )
    except BaseException:
        pending.unlink(missing_ok=True)
        raise
    if material is not None:
        os.replace(pending, key_file)
        console.print(
            f"Rotated {count} secrets; new key written to {key_file} (fingerprint {new.fingerprint})."
        )
    else:
        console.print(
            f"Rotated {count} secrets to the key in ${new_key_env} (fingerprint {new.fingerprint}). "
            "Set TWIN_SECRET_KEY to that value now."
        )


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="secrets")
