"""The table of what makes untrusted text suspicious: one row per rule.

Rules run on a normalised copy of the text (NFKC, case-folded, zero-width characters removed,
whitespace collapsed; see :func:`tools.untrusted.flags.normalise`), so each pattern is written
in lower case and matches full-width, mixed-case and oddly spaced variants alike. Secret rules
run on the original text too, because key shapes are case-sensitive.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "INSTRUCTION_RULES",
    "MARKUP_RULES",
    "SECRET_RULES",
    "FlagKind",
    "Rule",
    "random_run",
]


class FlagKind(StrEnum):
    """What a flag warns about."""

    instruction = "instruction"
    """Text addressed to the agent or its model rather than to an audience."""
    secret = "secret"
    """Something shaped like a credential."""
    markup = "markup"
    """Active markup: scripts, event handlers, frames, remote images."""


@dataclass(frozen=True)
class Rule:
    """One row of the table.

    Attributes:
        name: Stable id, stored with the flag.
        kind: What the rule detects.
        pattern: Compiled regular expression.
        reason: The sentence a reviewer reads.
        case_sensitive: Match the original text (key shapes) instead of the normalised one.
        check: A further test of the matched text (e.g. "looks random"), when a shape alone
            would also match ordinary words.
    """

    name: str
    kind: FlagKind
    pattern: re.Pattern[str]
    reason: str
    case_sensitive: bool = False
    check: Callable[[str], bool] | None = None


def _rule(
    name: str,
    kind: FlagKind,
    regex: str,
    reason: str,
    *,
    case: bool = False,
    check: Callable[[str], bool] | None = None,
) -> Rule:
    flags = 0 if case else re.IGNORECASE
    return Rule(name, kind, re.compile(regex, flags | re.UNICODE), reason, case, check)


_ALNUM_RUN = re.compile(r"[A-Za-z0-9]+")


def random_run(text: str, *, length: int = 16) -> bool:
    """Whether ``text`` holds an unbroken run of ``length`` letters and digits mixing both.

    Keys and tokens do; slugs such as ``sk-learn-tutorial-for-beginners`` are short words.
    """
    return any(
        len(run) >= length and any(c.isdigit() for c in run) and any(c.isalpha() for c in run)
        for run in _ALNUM_RUN.findall(text)
    )


_I = FlagKind.instruction
_S = FlagKind.secret
_M = FlagKind.markup

_VERBS = r"(?:ignore|disregard|forget|override|bypass|skip|discard|abandon|neglect|drop|overwrite)"
_EARLIER = r"(?:previous|prior|preceding|above|earlier|foregoing|initial|original|aforementioned)"
_ORDERS = (
    r"(?:instructions?|prompts?|rules|directions|directives?|guidelines|orders|commands|context|"
    r"messages|constraints|guardrails|text|programming|system prompt)"
)
_STRICT_ORDERS = (
    r"(?:instructions|prompts?|system prompt|guardrails|programming|directives|"
    r"content polic(?:y|ies)|safety (?:rules|guidelines))"
)

INSTRUCTION_RULES: tuple[Rule, ...] = (
    _rule(
        "override_instructions",
        _I,
        rf"\b{_VERBS}\b(?:\s+\w+){{0,3}}?\s+{_EARLIER}(?:\s+\w+){{0,2}}?\s+{_ORDERS}\b"
        rf"|\b{_VERBS}\s+(?:all\s+|any\s+)?(?:of\s+)?(?:your|all|any|these|those|the\s+system)"
        rf"(?:\s+\w+){{0,2}}?\s+{_STRICT_ORDERS}\b"
        r"|\b(?:forget|ignore|disregard)\s+(?:everything|all(?:\s+of\s+it)?)\s+"
        r"(?:you\s+(?:were|have\s+been|'ve\s+been)\s+(?:told|given)|above|before|so\s+far|prior)",
        "tells the agent to ignore its instructions",
    ),
    _rule(
        "override_instructions_intl",
        _I,
        r"(?:ignor[ae]z?|olvida|oublie[zs]?|ignoriere|vergiss|negeer|vergeet|dimentica|"
        r"игнорируй|забудь|проигнорируй)\s+"
        r"(?:(?:las|los|les|le|la|as|os|die|alle|todas|todos|toutes|tous|tutte|tutti|vos|tes|"
        r"tus|sus|deine|ihre|meine|de|mis|все|мои|свои|эти|предыдущие|vorherigen|bisherigen|"
        r"vorigen|anteriores|précédentes|precedenti|eerdere|vorige)\s+){1,3}"
        r"(?:instrucciones|instructions|anweisungen|befehle|instruções|instrucoes|istruzioni|"
        r"instructies|regole|reglas|règles|regeln|инструкции|указания|правила)"
        r"|(?:忽略|无视|忽视|不要理会|忘记|忘掉)(?:掉)?(?:你)?(?:之前|以前|先前|上面|上述|以上|所有|全部)"
        r"|(?:以前|前|上記|これまで)の(?:すべての)?(?:指示|命令|ルール)を(?:すべて)?(?:無視|忘れ)"
        r"|이전\s*(?:의\s*)?(?:모든\s*)?(?:지시|명령|지침)(?:을|를)?\s*(?:무시|잊어)",
        "tells the agent to ignore its instructions (not in English)",
    ),
    _rule(
        "new_instructions",
        _I,
        r"\b(?:new|updated|real|actual|hidden|secret|revised)\s+(?:system\s+)?"
        r"(?:instructions|orders|directives?)\s*(?::|for\s+(?:the\s+)?(?:ai|assistant|agent|model|bot))"
        r"|\bnote\s+to\s+(?:the\s+)?(?:ai|assistant|agent|model|bot|llm)\b"
        r"|\b(?:attention|dear|hey)\s+(?:ai|assistant|agent|model|bot|llm|chatgpt|gpt)\b\s*[,:!]"
        r"|\b(?:if\s+you\s+are|as)\s+an?\s+(?:ai|llm|language\s+model|ai\s+agent|assistant)\s*,"
        r"\s*(?:you\s+must|please|ignore|do\s+not|don't)",
        "addresses instructions to the agent or its model",
    ),
    _rule(
        "skip_approval",
        _I,
        r"\b(?:publish|post|upload|release|schedule|push)\w*\b(?:\s+\S+){0,6}?\s+"
        r"(?:without|bypassing|skipping)\s+(?:any\s+|the\s+|human\s+|creator\s+|manual\s+|"
        r"prior\s+|further\s+)*(?:approval|review|confirmation|moderation|sign[- ]?off)"
        r"|\b(?:skip|bypass|disable|turn\s+off|ignore|circumvent)\s+(?:the\s+|any\s+|all\s+|your\s+)?"
        r"(?:(?:human|manual|creator|content)\s+)?(?:approvals?(?:\s+(?:step|process|queue))?|"
        r"moderation|safety\s+checks?)\b"
        r"|\b(?:skip|bypass|disable|circumvent)\s+(?:the\s+)?(?:human|manual|creator)\s+review"
        r"|\bauto[- ]?approve\b|\bmark\s+(?:this|it|everything|all)\s+(?:as\s+)?approved\b"
        r"|(?:publica|publie|publique|veröffentliche|pubblica|publiceer|опубликуй)\w*\s+(?:\S+\s+){0,4}?"
        r"(?:sin|sans|ohne|sem|senza|zonder|без)\s+(?:\S+\s+)?"
        r"(?:aprobación|aprobacion|approbation|validation|genehmigung|freigabe|prüfung|aprovação|"
        r"aprovacao|approvazione|goedkeuring|одобрения|проверки|согласования)"
        r"|(?:无需|不需要|跳过|绕过)(?:任何)?(?:审批|审核|批准|人工审核)",
        "asks to publish without the creator's approval",
    ),
    _rule(
        "role_switch",
        _I,
        r"\byou\s+are\s+(?:now|no\s+longer)\s+(?:an?\s+|the\s+|my\s+)?(?:\w+\s+){0,2}?"
        r"(?:ai|assistant|bot|model|agent|chatbot|llm|system|dan|persona|jailbroken|"
        r"unrestricted|unfiltered|uncensored|bound)\b"
        r"|\bfrom\s+now\s+on,?\s+you\s+(?:are|will|must|shall|should)\b"
        r"|\b(?:act|behave|respond)\s+as\s+(?:an?\s+)?(?:unrestricted|unfiltered|uncensored|"
        r"jailbroken|evil|rogue)\s+\w+"
        r"|\b(?:act|behave)\s+as\s+(?:an?\s+|the\s+)?(?:ai|dan|system|administrator|admin|root)\b"
        r"|\bpretend\s+(?:to\s+be|you\s+are|that\s+you)\s+(?:an?\s+)?(?:\w+\s+)?"
        r"(?:ai|assistant|model|bot|system|admin|administrator|developer|dan|unrestricted|different)"
        r"|\b(?:role[- ]?play|roleplay)\s+as\s+(?:an?\s+)?(?:\w+\s+)?(?:ai|assistant|model|system|dan)"
        r"|\b(?:developer|dan|jailbreak|sudo|unrestricted|unfiltered)\s+mode\b"
        r"|\bdo\s+anything\s+now\b|\bjailbroken\b"
        r"|\b(?:ahora|desde\s+ahora)\s+eres\b|\btu\s+es\s+(?:maintenant|désormais)\b"
        r"|\bdu\s+bist\s+(?:jetzt|ab\s+sofort|nun)\s+(?:ein|eine|der|die|kein)\b"
        r"|\bagora\s+(?:você|voce)\s+é\b|\bты\s+теперь\b|你现在是|从现在开始你|あなたは今から",
        "tries to give the agent a new role",
    ),
    _rule(
        "prompt_markers",
        _I,
        r"<\|(?:im_start|im_end|system|user|assistant|endoftext|eot_id|start_header_id)\|>"
        r"|\[/?inst\]|<</?sys>>|<\s*/?\s*(?:system|assistant|instructions?)\s*>"
        r"|(?:^|\n)\s*(?:###\s*)?(?:system|assistant|developer)\s*(?:prompt|message)?\s*:"
        r"|\b(?:system|assistant)\s*:\s*(?:you\s+(?:are|must|will)|ignore|new\s+instructions)"
        r"|###\s*(?:instruction|system|response)\b|\bsystem\s+override\b|\bbegin\s+system\b"
        r"|\bend\s+of\s+(?:system\s+)?(?:prompt|instructions)\b",
        "contains chat-role or system-prompt markers",
    ),
    _rule(
        "exfiltration",
        _I,
        r"\b(?:print|reveal|show|tell|give|send|leak|output|display|dump|share|email|paste|"
        r"repeat|expose|list|post|publish|include|append|add)\w*\s+(?:me\s+|us\s+)?"
        r"(?:(?:the|your|its|all|any|our|stored|saved|current|admin|secret|hidden|full)\s+){0,3}"
        r"(?:api[\s_-]?keys?|secret\s+keys?|access\s+tokens?|refresh\s+tokens?|oauth\s+tokens?|"
        r"credentials|private\s+keys?|env(?:ironment)?\s+variables|\.env\b|system\s+prompt|"
        r"hidden\s+prompt|initial\s+prompt|instructions\s+above|(?<=your\s)(?:instructions|prompt))"
        r"|(?:muestra|revela|imprime|zeige|gib|affiche|révèle|mostre|покажи|выведи)\w*\s+"
        r"(?:\S+\s+){0,3}?(?:clave|api|schlüssel|clé|chave|ключ|токен|contraseña|passwort|"
        r"mot\s+de\s+passe|senha|пароль)"
        r"|(?:输出|打印|泄露|显示|告诉我)(?:你的)?(?:api|密钥|系统提示|令牌|密码)",
        "asks the agent to reveal secrets or its instructions",
    ),
    _rule(
        "tool_call",
        _I,
        r"\{\s*[\"'](?:tool|tool_name|function|function_call|tool_calls|name|action|"
        r"recipient_name)[\"']\s*:\s*[\"'{\[]"
        r"|[\"'](?:arguments|parameters|args|tool_input|action_input)[\"']\s*:\s*[{\"]"
        r"|<\s*/?\s*(?:tool_call|tool_use|function_call|function_calls|invoke)\b"
        r"|<function=\w+|\bfunctions\.\w+\s*\("
        r"|\b(?:approve_reels|publish_post|add_directive|remove_directive|run_now|"
        r"pause_schedule|resume_schedule|edit_reel|reject_reels)\b",
        "looks like a tool or function call",
    ),
    _rule(
        "shell_command",
        _I,
        r"\b(?:curl|wget)\s+\S+\s*\|\s*(?:ba|z)?sh\b|\brm\s+-(?:rf|fr)\s+[/~*]"
        r"|\bos\.system\s*\(|\bsubprocess\.\w+\s*\(|\b__import__\s*\(",
        "contains a shell or code command",
    ),
)

SECRET_RULES: tuple[Rule, ...] = (
    _rule(
        "openai_key",
        _S,
        r"\bsk-(?:proj-|ant-(?:api\d\d-)?|live-|test-|svcacct-|admin-)?[A-Za-z0-9_\-]{20,}",
        "contains something shaped like an API key (sk-…)",
        case=True,
        check=random_run,
    ),
    _rule(
        "stripe_key",
        _S,
        r"\b(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{16,}",
        "contains something shaped like a payment API key",
        case=True,
        check=random_run,
    ),
    _rule(
        "aws_key",
        _S,
        r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA)[0-9A-Z]{16}\b"
        r"|aws_secret_access_key\s*[=:]\s*\S{16,}",
        "contains something shaped like an AWS access key",
        case=True,
    ),
    _rule(
        "github_token",
        _S,
        r"\bgh[pousr]_[A-Za-z0-9]{30,}\b|\bgithub_pat_[A-Za-z0-9_]{22,}",
        "contains something shaped like a GitHub token",
        case=True,
        check=random_run,
    ),
    _rule(
        "slack_google_token",
        _S,
        r"\bxox[abposr]-[A-Za-z0-9-]{10,}|\bAIza[0-9A-Za-z_\-]{35}\b"
        r"|\bya29\.[0-9A-Za-z_\-]{20,}|\bEAA[A-Za-z0-9]{30,}\b",
        "contains something shaped like a platform access token",
        case=True,
        check=random_run,
    ),
    _rule(
        "jwt",
        _S,
        r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}",
        "contains a JSON Web Token",
        case=True,
    ),
    _rule(
        "private_key",
        _S,
        r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----",
        "contains a private key",
        case=True,
    ),
    _rule(
        "url_password",
        _S,
        r"\b[a-z][a-z0-9+.\-]{1,20}://[^\s:/@'\"<>]{1,64}:[^\s@/'\"<>]{1,128}@[\w.\-]+",
        "contains a URL with a password in it",
    ),
    _rule(
        "assigned_secret",
        _S,
        r"\b(?:api[_-]?key|apikey|secret[_-]?key|client[_-]?secret|access[_-]?token|"
        r"auth[_-]?token|password|passwd|pwd)\b[\"']?\s*[:=]\s*[\"']?[^\s\"',;]{8,}",
        "contains a value assigned to a secret-named field",
    ),
    _rule(
        "bearer_token",
        _S,
        r"\bbearer\s+[A-Za-z0-9._~+/\-]{20,}=*",
        "contains a bearer token",
        check=random_run,
    ),
)
"""Long hex and base64 tokens are found by :func:`tools.untrusted.flags.opaque_tokens`
(a shape plus an entropy test, which a regular expression cannot express)."""

MARKUP_RULES: tuple[Rule, ...] = (
    _rule(
        "script_tag",
        _M,
        r"<\s*/?\s*script\b",
        "contains a <script> tag",
    ),
    _rule(
        "active_html",
        _M,
        r"<\s*(?:iframe|frame|object|embed|applet|form|meta|link|base|style|svg|math|template)\b",
        "contains active HTML (frames, forms, styles, embedded objects)",
    ),
    _rule(
        "event_handler",
        _M,
        r"<[^>]*\bon[a-z]{3,20}\s*=",
        "contains an HTML event handler (onload=, onerror=, …)",
    ),
    _rule(
        "script_url",
        _M,
        r"\b(?:javascript|vbscript|livescript)\s*:|\bdata\s*:\s*(?:text/html|application/"
        r"(?:x-)?javascript|image/svg\+xml)",
        "contains a script URL (javascript:, data:text/html)",
    ),
    _rule(
        "remote_image",
        _M,
        r"!\[[^\]]{0,200}\]\(\s*(?:https?:)?//",
        "embeds a remote image (a way to leak data through its URL)",
    ),
    _rule(
        "template_injection",
        _M,
        r"\{\{[^{}]{0,80}(?:__|config|self|request|cycler|lipsum|import)[^{}]{0,80}\}\}"
        r"|\{%\s*(?:import|include|set|for|if|macro)\b|\$\{jndi:",
        "contains template or lookup syntax that a renderer might execute",
    ),
)
