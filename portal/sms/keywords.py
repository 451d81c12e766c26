"""SMS keywords per locale: opt-out, opt-in and help. A new locale adds rows to KEYWORDS."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from portal.sms.textfold import fold_keyword, words


class Action(StrEnum):
    OPT_OUT = "opt_out"
    OPT_IN = "opt_in"
    HELP = "help"


@dataclass(frozen=True)
class Keyword:
    locale: str
    action: Action
    word: str
    # Twilio answers these itself (standard opt-out handling): we must not send a second confirmation.
    provider_replies: bool = False


def _rows(locale: str, action: Action, *words_: str, provider: bool = False) -> list[Keyword]:
    return [Keyword(locale, action, w, provider) for w in words_]


# No keyword of ours is an everyday one-word answer in any of her languages ("yes", "fine", "no"): keywords match
# in every locale at once, and an answer must never stop her contact nor start it again (tested). English YES stays
# because Twilio itself acts on it (its standard opt-in keywords): we must follow what the provider did.
KEYWORDS: tuple[Keyword, ...] = tuple(
    # English: Twilio's standard keywords (it blocks and auto-replies) plus OPT OUT.
    _rows("en", Action.OPT_OUT, "STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE",
          "OPTOUT", provider=True)
    + _rows("en", Action.OPT_OUT, "OPT OUT", "OPT-OUT")
    + _rows("en", Action.OPT_IN, "START", "YES", "UNSTOP", provider=True)
    + _rows("en", Action.HELP, "HELP", "INFO", provider=True)
    # German.
    + _rows("de", Action.OPT_OUT, "STOPP", "HALT", "ENDE", "ABMELDEN", "AUFHÖREN", "BEENDEN", "ABBESTELLEN")
    + _rows("de", Action.OPT_IN, "ANMELDEN", "WEITER")
    + _rows("de", Action.HELP, "HILFE")
    # Arabic.
    + _rows("ar", Action.OPT_OUT, "توقف", "قف", "إيقاف", "أوقف", "إلغاء", "الغاء الاشتراك", "إنهاء")
    + _rows("ar", Action.OPT_IN, "ابدأ", "بدء", "استئناف")
    + _rows("ar", Action.HELP, "مساعدة", "معلومات")
    # Common carrier words in neighbouring languages (French, Spanish, Italian, Dutch, Portuguese).
    + _rows("fr", Action.OPT_OUT, "ARRET", "ARRÊTER", "DESABONNER")
    + _rows("es", Action.OPT_OUT, "ALTO", "PARAR", "BAJA", "CANCELAR")
    + _rows("it", Action.OPT_OUT, "FERMA", "BASTA")
    + _rows("nl", Action.OPT_OUT, "AFMELDEN")
    + _rows("pt", Action.OPT_OUT, "PARE", "SAIR")
    + _rows("fr", Action.HELP, "AIDE")
    + _rows("es", Action.HELP, "AYUDA")
    # fa (issue 14)
    + _rows("fa", Action.OPT_OUT, "لغو", "قطع", "پایان", "انصراف")
    + _rows("fa", Action.OPT_IN, "شروع", "ادامه")
    + _rows("fa", Action.HELP, "راهنما", "کمک")
    # nl (issue 14)
    + _rows("nl", Action.OPT_OUT, "STOPPEN", "UITSCHRIJVEN", "STOP ALLES", "OPZEGGEN", "UIT")
    + _rows("nl", Action.OPT_IN, "AANMELDEN", "HERSTART")
    + _rows("nl", Action.HELP, "HULP")
    # uk (issue 14)
    + _rows("uk", Action.OPT_OUT, "СТОП", "ВІДПИСАТИСЯ", "ВІДПИСКА", "ЗУПИНИТИ", "ПРИПИНИТИ", "СКАСУВАТИ", "ВИХІД")
    + _rows("uk", Action.OPT_IN, "СТАРТ", "ПОЧАТИ", "ВІДНОВИТИ", "ПІДПИСАТИСЯ")
    + _rows("uk", Action.HELP, "ДОПОМОГА", "ІНФО", "ДОВІДКА")
    # it (issue 14). Not FINE ("end"): a text of "fine" in English would stop all contact with her.
    + _rows("it", Action.OPT_OUT, "ALT", "ANNULLA", "CANCELLA", "DISISCRIVI", "DISATTIVA", "SMETTI", "RIMUOVI", "NO SMS")
    + _rows("it", Action.OPT_IN, "ATTIVA", "RIATTIVA", "INIZIA", "RIPRENDI")
    + _rows("it", Action.HELP, "AIUTO")
    # pl (issue 14)
    + _rows("pl", Action.OPT_OUT, "KONIEC", "REZYGNACJA", "REZYGNUJĘ", "WYPISZ", "WYPISUJĘ", "STOP SMS")
    + _rows("pl", Action.OPT_IN, "WZNÓW")
    + _rows("pl", Action.HELP, "POMOC")
    # fr (issue 14)
    + _rows("fr", Action.OPT_OUT, "ARRÊTEZ", "DÉSABONNEMENT", "DÉSINSCRIRE", "DÉSINSCRIPTION", "ANNULER", "FIN")
    + _rows("fr", Action.OPT_IN, "REPRENDRE", "DÉMARRER", "RÉACTIVER")
    + _rows("fr", Action.HELP, "INFOS")
    # es (issue 14)
    + _rows("es", Action.OPT_OUT, "PARA", "DETENER", "SALIR", "NO MAS", "DARSE DE BAJA")
    + _rows("es", Action.OPT_IN, "ALTA", "EMPEZAR", "REANUDAR")
    + _rows("es", Action.HELP, "INFORMACION")
    # pt (issue 14)
    + _rows("pt", Action.OPT_OUT, "FIM", "TERMINAR", "REMOVER", "DESATIVAR", "ANULAR")
    + _rows("pt", Action.OPT_IN, "INICIAR", "VOLTAR", "ATIVAR", "COMEÇAR")
    + _rows("pt", Action.HELP, "AJUDA")
    # ro (issue 14)
    + _rows("ro", Action.OPT_OUT, "OPRIRE", "OPRESTE", "OPRITI", "DEZABONARE", "DEZABONEAZA", "RENUNT", "ANULARE")
    + _rows("ro", Action.OPT_IN, "PORNIRE", "PORNESTE", "REPORNIRE", "ABONARE")
    + _rows("ro", Action.HELP, "AJUTOR")
    # el (issue 14)
    + _rows("el", Action.OPT_OUT, "ΣΤΟΠ", "ΔΙΑΚΟΠΗ", "ΔΙΑΓΡΑΦΗ", "ΑΠΕΓΓΡΑΦΗ", "ΑΚΥΡΩΣΗ", "ΣΤΑΜΑΤΑ", "STOP ALL", "DIAKOPI", "DIAGRAFI")
    + _rows("el", Action.OPT_IN, "ΕΝΑΡΞΗ", "ΕΠΑΝΕΝΑΡΞΗ", "ΞΕΚΙΝΑ", "ENARXI")
    + _rows("el", Action.HELP, "ΒΟΗΘΕΙΑ", "ΠΛΗΡΟΦΟΡΙΕΣ", "VOITHEIA", "VOITHIA")
    # tr (issue 14)
    + _rows("tr", Action.OPT_OUT, "RET", "İPTAL", "DURDUR", "ABONELİK İPTAL", "SMS İPTAL")
    + _rows("tr", Action.OPT_IN, "BAŞLA", "BAŞLAT")
    + _rows("tr", Action.HELP, "YARDIM", "BİLGİ")
)

# Words and phrases that read like "stop texting me" without being a keyword: her worker gets them urgently.
STOP_LIKE: dict[str, tuple[str, ...]] = {
    "en": ("stop", "stopall", "optout", "opt out", "unsubscribe", "no more", "dont text", "don't text",
           "do not text", "stop texting", "leave me alone", "remove me", "wrong number", "not interested"),
    "de": ("stopp", "keine sms", "nicht mehr", "lass mich", "lassen sie mich", "falsche nummer", "abmelden",
           "abbestellen"),
    "ar": ("توقف", "أوقف", "إيقاف", "لا ترسل", "لا تراسل", "اتركني", "رقم خطأ", "إلغاء"),
    "fr": ("arret", "arreter", "arrêt", "arrêter", "arrêtez", "stop", "ne m'écrivez plus", "arrêtez de m'écrire",
           "arrêtez les messages", "plus de sms", "plus de messages", "ne plus recevoir", "ne me contactez plus",
           "ne m'envoyez plus", "laissez-moi tranquille", "laisse-moi tranquille", "fichez-moi la paix",
           "foutez-moi la paix", "mauvais numéro", "erreur de numéro", "pas le bon numéro", "me désinscrire",
           "me désabonner", "pas intéressée", "ça ne m'intéresse pas"),
    "fa": ("لغو", "توقف", "قطع", "دیگه پیام نده", "دیگر پیام ندهید", "پیام نفرستید", "پیام نده", "مزاحم نشوید",
           "مزاحم نشو", "ولم کنید", "ولم کن", "شماره اشتباه", "اشتباه گرفتید", "لغو عضویت"),
    "nl": ("stop", "stoppen", "afmelden", "uitschrijven", "niet meer sturen", "stuur niets meer", "geen sms meer",
           "geen smsjes meer", "geen berichten meer", "niet meer sms", "laat me met rust", "laat me gerust",
           "laat mij met rust", "hou op", "houd op", "verkeerd nummer", "verkeerde nummer", "geen interesse",
           "niet geinteresseerd"),
    "uk": ("стоп", "зупиніть", "припиніть", "не пишіть", "не пишіть мені", "не надсилайте", "більше не пишіть",
           "більше не надсилайте", "не турбуйте", "дайте спокій", "відчепіться", "відпишіть мене",
           "видаліть мій номер", "не той номер", "неправильний номер", "помилилися номером", "не цікавить",
           "не хочу повідомлень", "досить"),
    "it": ("basta", "basta messaggi", "basta sms", "non scrivetemi", "non scrivermi", "non scrivetemi più",
           "non mandatemi più messaggi", "niente più messaggi", "nessun messaggio", "lasciatemi in pace",
           "lasciami in pace", "numero sbagliato", "avete sbagliato numero", "non mi interessa", "cancellatemi",
           "toglietemi", "smettetela", "non voglio più messaggi", "non contattatemi"),
    "pl": ("nie pisz", "nie piszcie", "proszę nie pisać", "prosze nie pisac", "nie pisać więcej",
           "nie wysyłajcie", "nie wysyłać", "przestańcie pisać", "przestań pisać", "dajcie mi spokój",
           "zostawcie mnie w spokoju", "zostaw mnie w spokoju", "pomyłka", "zły numer", "nie ten numer",
           "usuńcie mój numer", "wypiszcie mnie", "nie interesuje mnie", "więcej nie", "nie chcę wiadomości",
           "nie chcę sms", "nie chcę więcej sms", "koniec sms"),
    "es": ("baja", "no mas mensajes", "no mas sms", "no me escriban", "no me escribas", "no me manden",
           "no me envien", "dejen de escribirme", "deja de escribirme", "dejenme en paz", "dejame en paz",
           "dejeme en paz", "numero equivocado", "se equivocaron de numero", "se han equivocado de numero",
           "no me interesa", "borrenme", "quitenme de la lista", "no quiero mas mensajes",
           "no vuelvan a escribir", "no quiero que me escriban", "parar", "no mas"),
    "pt": ("pare", "parar", "não quero mais", "não quero mensagens", "não mandem", "não enviem", "não me mandem",
           "não me enviem", "chega de mensagens", "sem mais mensagens", "deixem-me em paz", "deixe-me em paz",
           "me deixe em paz", "número errado", "é engano", "não tenho interesse", "não estou interessada",
           "parem de mandar", "parem de enviar", "pare de mandar", "pare de enviar"),
    "ro": ("stop", "opriți", "opriti", "opriți mesajele", "opriti mesajele", "nu mai vreau mesaje",
           "nu mai vreau sms", "nu-mi mai scrieți", "nu mai scrieti", "nu mă mai contactați",
           "nu ma mai contactati", "nu mai trimiteți", "nu mai trimiteti", "lăsați-mă în pace",
           "lasati-ma in pace", "lasă-mă în pace", "lasa-ma in pace", "număr greșit", "numar gresit",
           "ați greșit numărul", "ati gresit numarul", "nu mă interesează", "nu ma intereseaza",
           "vreau să mă dezabonez", "vreau sa ma dezabonez"),
    "el": ("σταματήστε", "σταμάτα", "σταματα", "μη μου στέλνετε", "μη μου στελνετε", "μην μου στέλνετε",
           "μη μου ξαναστείλετε", "μη στέλνετε άλλο", "όχι άλλα μηνύματα", "οχι αλλα μηνυματα",
           "δεν θέλω μηνύματα", "αφήστε με ήσυχη", "αφήστε με", "άσε με ήσυχη", "αφησε με", "λάθος αριθμός",
           "λαθος αριθμος", "λάθος νούμερο", "λαθος νουμερο", "διαγράψτε με", "διαγραψτε με",
           "βγάλτε με από τη λίστα", "δεν ενδιαφέρομαι", "stop", "stamata", "mh mou stelnete", "lathos arithmos"),
    "tr": ("mesaj atmayın", "mesaj atmayin", "mesaj göndermeyin", "mesaj gondermeyin", "sms atmayın",
           "sms atmayin", "artık yazmayın", "artik yazmayin", "bana yazmayın", "bana yazmayin",
           "beni rahat bırakın", "beni rahat birakin", "rahatsız etmeyin", "rahatsiz etmeyin", "yanlış numara",
           "yanlis numara", "numaramı silin", "numarami silin", "ilgilenmiyorum", "aramayın", "aramayin",
           "mesaj istemiyorum"),
}

_TABLE: dict[str, Keyword] = {}
for _row in KEYWORDS:
    _TABLE.setdefault(fold_keyword(_row.word), _row)


def match(text: str) -> Keyword | None:
    """The keyword this whole message is, if any (trimmed, any case, accents and end punctuation ignored)."""
    return _TABLE.get(fold_keyword(text))


def reads_like_stop(text: str) -> bool:
    """Free text containing a stop-like word or phrase in any locale (word by word, folded)."""
    padded = " " + " ".join(words(text)) + " "
    return any(f" {' '.join(words(p))} " in padded for phrases in STOP_LIKE.values() for p in phrases)
