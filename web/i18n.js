/** Polish and English labels. Polish is the default: the registry's users are Polish finance teams. */
export const lang = { value: localStorage.getItem('ksefops.lang') || 'pl' };

const STRINGS = {
  pl: {
    'nav.counterparties': 'Kontrahenci',
    'cp.title': 'Kontrahenci — dane podstawowe', 'cp.audit': 'Raport kontroli kontrahentów', 'cp.runNow': 'Uruchom kontrolę teraz', 'cp.running': 'Trwa kontrola…',
    'cp.stillRunning': 'Kontrola nadal trwa — wynik pojawi się tu jako najnowszy raport.', 'cp.noRun': 'Kontrola nie była jeszcze uruchamiana.',
    'cp.auditNotAllowed': 'Raport kontroli kontrahentów jest dostępny dla ról: monitor, zatwierdzający, administrator.',
    'cp.finished': 'Zakończono', 'cp.trigger': 'Uruchomienie', 'cp.checked': 'Sprawdzono', 'cp.failing': 'Z błędami',
    'cp.clean': 'Żaden kontrahent nie zatrzymałby faktury.', 'cp.sev.error': 'błąd', 'cp.sev.warning': 'ostrzeżenie',
    'cp.identifier': 'NIP / identyfikator', 'cp.name': 'Nazwa', 'cp.field': 'Pole', 'cp.detail': 'Szczegóły',
    'cp.import': 'Import kontrahentów (CSV)', 'cp.importHint': 'Wiersz nagłówka, separator „,” lub „;”, np. nip;name;vatStatus;active. Ten sam NIP aktualizuje wpis.',
    'cp.importRun': 'Importuj', 'cp.importStatus.complete': 'Zaimportowano w całości', 'cp.importStatus.partial': 'Zaimportowano częściowo',
    'cp.importStatus.rejected': 'Odrzucono — nic nie zapisano', 'cp.received': 'wierszy', 'cp.created': 'nowych', 'cp.updated': 'zmienionych',
    'cp.unchanged': 'bez zmian', 'cp.rejected': 'odrzuconych', 'cp.row': 'Wiersz', 'cp.line': 'linia',
    'cp.register': 'Rejestr kontrahentów', 'cp.search': 'Szukaj (nazwa, NIP)', 'cp.total': 'Razem', 'cp.vatStatus': 'Status VAT', 'cp.active': 'Aktywny',
    'cp.updatedAt': 'Zmieniono', 'cp.yes': 'tak', 'cp.no': 'nie',
    'nav.registry': 'Rejestr', 'nav.dashboard': 'Pulpit', 'nav.signOut': 'Wyloguj',
    'login.title': 'Logowanie', 'login.email': 'E-mail', 'login.password': 'Hasło', 'login.submit': 'Zaloguj',
    'reg.title': 'Rejestr faktur KSeF', 'reg.search': 'Szukaj (numer, kontrahent, nr KSeF)', 'reg.apply': 'Filtruj', 'reg.clear': 'Wyczyść',
    'reg.more': 'Więcej filtrów', 'reg.csv': 'Eksport CSV', 'reg.loadMore': 'Pokaż więcej', 'reg.empty': 'Brak faktur spełniających kryteria.',
    'reg.refresh': 'Odśwież', 'reg.count': 'Wyświetlono',
    'group.all': 'Wszystkie', 'group.pending': 'W toku', 'group.accepted': 'Przyjęte', 'group.rejected': 'Odrzucone', 'group.closed': 'Zamknięte ręcznie',
    'col.number': 'Numer', 'col.counterparty': 'Kontrahent', 'col.amount': 'Kwota brutto', 'col.status': 'Status', 'col.reason': 'Powód',
    'col.next': 'Następny krok', 'col.owner': 'Odpowiedzialny', 'col.age': 'Wiek', 'col.received': 'Przyjęto', 'col.issueDate': 'Data wystawienia',
    'f.sourceSystem': 'System źródłowy', 'f.sellerNip': 'NIP sprzedawcy', 'f.buyerNip': 'NIP nabywcy', 'f.type': 'Rodzaj', 'f.direction': 'Kierunek',
    'f.rejectionCode': 'Kod odrzucenia', 'f.issueDateFrom': 'Wystawiona od', 'f.issueDateTo': 'Wystawiona do', 'f.receivedFrom': 'Przyjęta od',
    'f.receivedTo': 'Przyjęta do', 'f.sort': 'Sortuj', 'f.order': 'Kolejność', 'f.any': 'dowolny',
    'sort.receivedAt': 'data przyjęcia', 'sort.issueDate': 'data wystawienia', 'sort.grossAmount': 'kwota', 'sort.status': 'status',
    'order.desc': 'malejąco', 'order.asc': 'rosnąco', 'dir.OUTGOING': 'sprzedaż', 'dir.INCOMING': 'zakup',
    'inv.back': '← Rejestr', 'inv.data': 'Dane faktury', 'inv.state': 'Stan w KSeF', 'inv.seller': 'Sprzedawca', 'inv.buyer': 'Nabywca',
    'inv.ksefNumber': 'Numer KSeF', 'inv.upo': 'Pobierz UPO', 'inv.temporal': 'Przebieg w Temporal', 'inv.reason': 'Powód odrzucenia',
    'inv.details': 'Szczegóły', 'inv.next': 'Następny krok', 'inv.owner': 'Odpowiedzialny', 'inv.deadline': 'Termin', 'inv.attempts': 'Próby wysyłki',
    'inv.actions': 'Działania', 'inv.note': 'Notatka (opcjonalnie)', 'inv.reasonRequired': 'Uzasadnienie wyjątku (wymagane)',
    'inv.noActions': 'Brak działań — faktura nie czeka na decyzję.', 'inv.timeline': 'Historia', 'inv.correction': 'Korekta danych',
    'inv.correctionHint': 'Popraw pola i wyślij — dane zostaną sprawdzone ponownie, a faktura wysłana jeszcze raz.',
    'inv.submitCorrection': 'Wyślij korektę', 'inv.correctionAccepted': 'Korekta przyjęta — faktura zostanie wysłana ponownie.',
    'inv.fieldErrors': 'Popraw zaznaczone pola:', 'inv.done': 'Wykonano', 'inv.pendingException': 'Wniosek o wyjątek ręczny',
    'inv.issueDate': 'Data wystawienia', 'inv.type': 'Rodzaj', 'inv.source': 'System źródłowy', 'inv.amount': 'Kwota brutto', 'inv.received': 'Przyjęto',
    'inv.workflowDown': 'Silnik procesu nie odpowiada — działania chwilowo niedostępne.',
    'tl.when': 'Kiedy', 'tl.what': 'Co', 'tl.who': 'Kto', 'tl.result': 'Wynik',
    'att.title': 'Załączniki', 'att.none': 'Brak załączonych dokumentów.', 'att.name': 'Nazwa', 'att.type': 'Typ', 'att.size': 'Rozmiar',
    'att.owner': 'Odpowiedzialny', 'att.due': 'Termin (SLA)', 'att.state': 'Stan', 'att.archived': 'zarchiwizowany', 'att.active': 'aktywny',
    'att.overdue': 'po terminie',
    'chain.title': 'Powiązane faktury (korekty, zaliczki)', 'chain.settles': 'Rozlicza zaliczki', 'chain.settledBy': 'Rozliczona fakturą', 'chain.outside': 'spoza rejestru',
    'act.approve': 'Zatwierdź wysyłkę', 'act.reject-approval': 'Odrzuć wysyłkę', 'act.correct': 'Korekta', 'act.force-retry': 'Wyślij ponownie',
    'act.request-manual-exception': 'Wnioskuj o wyjątek ręczny', 'act.approve-manual-exception': 'Zatwierdź wyjątek ręczny', 'act.cancel': 'Anuluj fakturę',
    'dash.title': 'Pulpit procesu KSeF', 'dash.from': 'Od', 'dash.to': 'Do', 'dash.show': 'Pokaż',
    'kpi.rejectionRate': 'Wskaźnik odrzuceń', 'kpi.backlog': 'Zaległe faktury', 'kpi.stuck': 'Utknięte (po SLA)', 'kpi.manual': 'Wyjątki ręczne', 'kpi.fix': 'Czas naprawy (mediana)',
    'kpi.retry': 'Czas do ponownej wysyłki (mediana)', 'kpi.accepted': 'Przyjęte', 'kpi.rejected': 'Odrzucenia', 'kpi.submitted': 'Zgłoszone',
    'chart.rate': 'Wskaźnik odrzuceń dziennie', 'chart.daily': 'Faktury dziennie', 'chart.backlog': 'Zaległości wg statusu i wieku',
    'chart.fix': 'Rozkład czasu naprawy', 'chart.reasons': 'Najczęstsze powody odrzuceń', 'chart.none': 'Brak danych w okresie.',
    'chart.unfixed': 'nienaprawione',
    'err.title': 'Błąd', 'loading': 'Wczytywanie…',
  },
  en: {
    'nav.counterparties': 'Counterparties',
    'cp.title': 'Counterparties — master data', 'cp.audit': 'Counterparty audit report', 'cp.runNow': 'Run audit now', 'cp.running': 'Auditing…',
    'cp.stillRunning': 'The audit is still running — its result will show here as the latest report.', 'cp.noRun': 'The audit has not run yet.',
    'cp.auditNotAllowed': 'The counterparty audit report is available to the monitor, approver and admin roles.',
    'cp.finished': 'Finished', 'cp.trigger': 'Started by', 'cp.checked': 'Checked', 'cp.failing': 'Failing',
    'cp.clean': 'No counterparty would hold up an invoice.', 'cp.sev.error': 'error', 'cp.sev.warning': 'warning',
    'cp.identifier': 'NIP / identifier', 'cp.name': 'Name', 'cp.field': 'Field', 'cp.detail': 'Detail',
    'cp.import': 'Import counterparties (CSV)', 'cp.importHint': 'A header row, "," or ";" separated, e.g. nip;name;vatStatus;active. The same NIP updates the entry.',
    'cp.importRun': 'Import', 'cp.importStatus.complete': 'Imported completely', 'cp.importStatus.partial': 'Imported in part',
    'cp.importStatus.rejected': 'Rejected — nothing stored', 'cp.received': 'rows', 'cp.created': 'created', 'cp.updated': 'updated',
    'cp.unchanged': 'unchanged', 'cp.rejected': 'rejected', 'cp.row': 'Row', 'cp.line': 'line',
    'cp.register': 'Counterparty register', 'cp.search': 'Search (name, NIP)', 'cp.total': 'Total', 'cp.vatStatus': 'VAT status', 'cp.active': 'Active',
    'cp.updatedAt': 'Changed', 'cp.yes': 'yes', 'cp.no': 'no',
    'nav.registry': 'Registry', 'nav.dashboard': 'Dashboard', 'nav.signOut': 'Sign out',
    'login.title': 'Sign in', 'login.email': 'Email', 'login.password': 'Password', 'login.submit': 'Sign in',
    'reg.title': 'KSeF invoice registry', 'reg.search': 'Search (number, counterparty, KSeF no.)', 'reg.apply': 'Filter', 'reg.clear': 'Clear',
    'reg.more': 'More filters', 'reg.csv': 'Export CSV', 'reg.loadMore': 'Show more', 'reg.empty': 'No invoices match.',
    'reg.refresh': 'Refresh', 'reg.count': 'Shown',
    'group.all': 'All', 'group.pending': 'Pending', 'group.accepted': 'Accepted', 'group.rejected': 'Rejected', 'group.closed': 'Closed by hand',
    'col.number': 'Number', 'col.counterparty': 'Counterparty', 'col.amount': 'Gross', 'col.status': 'Status', 'col.reason': 'Reason',
    'col.next': 'Next action', 'col.owner': 'Owner', 'col.age': 'Age', 'col.received': 'Received', 'col.issueDate': 'Issue date',
    'f.sourceSystem': 'Source system', 'f.sellerNip': 'Seller NIP', 'f.buyerNip': 'Buyer NIP', 'f.type': 'Type', 'f.direction': 'Direction',
    'f.rejectionCode': 'Rejection code', 'f.issueDateFrom': 'Issued from', 'f.issueDateTo': 'Issued to', 'f.receivedFrom': 'Received from',
    'f.receivedTo': 'Received to', 'f.sort': 'Sort by', 'f.order': 'Order', 'f.any': 'any',
    'sort.receivedAt': 'received', 'sort.issueDate': 'issue date', 'sort.grossAmount': 'amount', 'sort.status': 'status',
    'order.desc': 'descending', 'order.asc': 'ascending', 'dir.OUTGOING': 'sales', 'dir.INCOMING': 'purchase',
    'inv.back': '← Registry', 'inv.data': 'Invoice data', 'inv.state': 'KSeF state', 'inv.seller': 'Seller', 'inv.buyer': 'Buyer',
    'inv.ksefNumber': 'KSeF number', 'inv.upo': 'Download UPO', 'inv.temporal': 'Workflow in Temporal', 'inv.reason': 'Rejection reason',
    'inv.details': 'Details', 'inv.next': 'Next action', 'inv.owner': 'Owner', 'inv.deadline': 'Deadline', 'inv.attempts': 'Send attempts',
    'inv.actions': 'Actions', 'inv.note': 'Note (optional)', 'inv.reasonRequired': 'Reason for the exception (required)',
    'inv.noActions': 'No actions — the invoice is not waiting for a decision.', 'inv.timeline': 'Timeline', 'inv.correction': 'Correct the data',
    'inv.correctionHint': 'Fix the fields and submit — the data is checked again and the invoice re-sent.',
    'inv.submitCorrection': 'Submit correction', 'inv.correctionAccepted': 'Correction accepted — the invoice will be sent again.',
    'inv.fieldErrors': 'Fix the marked fields:', 'inv.done': 'Done', 'inv.pendingException': 'Manual exception requested',
    'inv.issueDate': 'Issue date', 'inv.type': 'Type', 'inv.source': 'Source system', 'inv.amount': 'Gross amount', 'inv.received': 'Received',
    'inv.workflowDown': 'The workflow engine is not answering — actions are unavailable for now.',
    'tl.when': 'When', 'tl.what': 'What', 'tl.who': 'Who', 'tl.result': 'Result',
    'att.title': 'Attachments', 'att.none': 'No documents attached.', 'att.name': 'Name', 'att.type': 'Type', 'att.size': 'Size',
    'att.owner': 'Owner', 'att.due': 'Due (SLA)', 'att.state': 'State', 'att.archived': 'archived', 'att.active': 'active',
    'att.overdue': 'overdue',
    'chain.title': 'Related invoices (corrections, advances)', 'chain.settles': 'Settles advance invoices', 'chain.settledBy': 'Settled by', 'chain.outside': 'not in the registry',
    'act.approve': 'Approve sending', 'act.reject-approval': 'Reject sending', 'act.correct': 'Correct', 'act.force-retry': 'Send again',
    'act.request-manual-exception': 'Request manual exception', 'act.approve-manual-exception': 'Approve manual exception', 'act.cancel': 'Cancel invoice',
    'dash.title': 'KSeF process dashboard', 'dash.from': 'From', 'dash.to': 'To', 'dash.show': 'Show',
    'kpi.rejectionRate': 'Rejection rate', 'kpi.backlog': 'Backlog', 'kpi.stuck': 'Stuck (past SLA)', 'kpi.manual': 'Manual exceptions', 'kpi.fix': 'Time to fix (median)',
    'kpi.retry': 'Time to retry (median)', 'kpi.accepted': 'Accepted', 'kpi.rejected': 'Rejections', 'kpi.submitted': 'Submitted',
    'chart.rate': 'Rejection rate per day', 'chart.daily': 'Invoices per day', 'chart.backlog': 'Backlog by status and age',
    'chart.fix': 'Time-to-fix distribution', 'chart.reasons': 'Top rejection reasons', 'chart.none': 'No data in this period.',
    'chart.unfixed': 'not fixed yet',
    'err.title': 'Error', 'loading': 'Loading…',
  },
};

const STATUS = {
  pl: { RECEIVED: 'Przyjęta do systemu', VALIDATING: 'Walidacja', AWAITING_APPROVAL: 'Czeka na akceptację', SENDING: 'Wysyłanie', SENT: 'Wysłana',
    ACCEPTED: 'Przyjęta przez KSeF', REJECTED: 'Odrzucona przez KSeF', NEEDS_FIX: 'Do poprawy', MANUAL_EXCEPTION: 'Wyjątek ręczny', CANCELLED: 'Anulowana' },
  en: { RECEIVED: 'Received', VALIDATING: 'Validating', AWAITING_APPROVAL: 'Awaiting approval', SENDING: 'Sending', SENT: 'Sent',
    ACCEPTED: 'Accepted by KSeF', REJECTED: 'Rejected by KSeF', NEEDS_FIX: 'Needs fix', MANUAL_EXCEPTION: 'Manual exception', CANCELLED: 'Cancelled' },
};

// The workflow words next actions in English; finance reads them in their language.
const NEXT_ACTIONS_PL = {
  'Correct the data or force a retry': 'Popraw dane lub wyślij ponownie',
  'Fix the data, retry or raise a manual exception': 'Popraw dane, ponów lub zgłoś wyjątek ręczny',
  'Approve or reject sending': 'Zatwierdź lub odrzuć wysyłkę',
};

const EVENTS_PL = {
  'invoice.received': 'Przyjęto do systemu', 'invoice.send': 'Wysłano do KSeF', 'invoice.triage': 'Odrzucenie — czeka na decyzję',
  'invoice.close': 'Zamknięto', 'invoice.correct': 'Korekta danych', 'invoice.force-retry': 'Ponowna wysyłka', 'invoice.approve': 'Zatwierdzono wysyłkę',
  'invoice.reject-approval': 'Odrzucono wysyłkę', 'invoice.request-manual-exception': 'Wniosek o wyjątek ręczny',
  'invoice.approve-manual-exception': 'Zatwierdzono wyjątek ręczny', 'invoice.cancel': 'Anulowano', 'invoice.escalate': 'Eskalacja',
  'invoice.watchdog': 'Brak odpowiedzi KSeF', 'alert.triage': 'Powiadomienie', 'alert.sla-missed': 'Przekroczony termin',
  'alert.approval-needed': 'Prośba o akceptację', 'alert.stuck-processing': 'Alert: przetwarzanie trwa zbyt długo',
};
const EVENTS_EN = {
  'invoice.received': 'Received', 'invoice.send': 'Sent to KSeF', 'invoice.triage': 'Rejected — waiting for a decision', 'invoice.close': 'Closed',
  'invoice.correct': 'Data correction', 'invoice.force-retry': 'Retry', 'invoice.approve': 'Sending approved', 'invoice.reject-approval': 'Sending rejected',
  'invoice.request-manual-exception': 'Manual exception requested', 'invoice.approve-manual-exception': 'Manual exception approved',
  'invoice.cancel': 'Cancelled', 'invoice.escalate': 'Escalated', 'invoice.watchdog': 'No answer from KSeF', 'alert.triage': 'Alert sent',
  'alert.sla-missed': 'Deadline missed', 'alert.approval-needed': 'Approval requested', 'alert.stuck-processing': 'Alert: processing too long',
};

export function t(key) {
  return STRINGS[lang.value]?.[key] ?? STRINGS.en[key] ?? key;
}
export function statusLabel(status) {
  return STATUS[lang.value]?.[status] ?? status;
}
export function nextActionLabel(text) {
  return text && lang.value === 'pl' ? NEXT_ACTIONS_PL[text] ?? text : text;
}
export function eventLabel(action) {
  return (lang.value === 'pl' ? EVENTS_PL : EVENTS_EN)[action] ?? action;
}
export function setLang(value) {
  lang.value = value;
  localStorage.setItem('ksefops.lang', value);
  document.documentElement.lang = value;
}
