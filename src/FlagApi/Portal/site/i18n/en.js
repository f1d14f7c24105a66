// Every label of the portal in English. Keys are shared with zh-CN.js; a test fails when one file has a
// key the other lacks.
export default {
  'site.name': 'Fraud number check and appeals',
  'layout.languageName': 'English',
  'layout.switchLanguageLabel': 'Switch to English',
  'layout.navigation': 'Main navigation',
  'layout.skip': 'Skip to content',
  'check.title': 'Check a number, web address, app or account',
  'report.title': 'Report a fraud number, web address or app',
  'appeal.title': 'Flagged by mistake? Appeal here',
  'track.title': 'Track your appeal',
  'review.title': 'Review console',

  'nav.check': 'Check',
  'nav.report': 'Report',
  'nav.appeal': 'Appeal',
  'nav.track': 'Track an appeal',

  'safety.title': 'Protect yourself from impostors',
  'safety.money': 'This service never asks you for money or a transfer, for any reason.',
  'safety.calls': 'This service never calls you first.',
  'safety.links': 'This service never sends links by SMS.',
  'safety.official': 'Anyone who asks for money, calls you or texts you a link in its name is a fraudster. The only official site is:',

  'footer.about': 'This site checks the lists of fraud numbers, web addresses, apps and accounts published by the police. If your own number was flagged by mistake, you can appeal here, free of charge.',
  'footer.api': 'Developer API',
  'footer.review': 'Reviewer sign-in',

  'kind.phone': 'Phone number',
  'kind.url': 'Web address',
  'kind.domain': 'Domain',
  'kind.app': 'App',
  'kind.account': 'Account (WeChat, QQ, Alipay, bank card, …)',

  'category.task_brushing': 'Paid "task" or order-brushing scam',
  'category.loan_or_card': 'Loan or credit card scam',
  'category.impersonating_authorities': 'Pretending to be police, a court or prosecutors',
  'category.investment_romance': 'Investment or romance scam ("pig butchering")',
  'category.impersonating_acquaintance': 'Pretending to be a friend or your boss',
  'category.fake_customer_service': 'Fake shop or delivery customer service',
  'category.fake_credit_repair': 'Fake credit-record repair or student-loan cancellation',
  'category.gambling': 'Online gambling',
  'category.remote_control_app': 'Remote control or screen sharing',
  'category.other': 'Other',

  'risk.low': 'low',
  'risk.medium': 'medium',
  'risk.high': 'high',

  'status.submitted': 'Received, waiting for a reviewer',
  'status.in_review': 'Being reviewed',
  'status.needs_info': 'We need more information from you',
  'status.approved': 'Appeal approved',
  'status.rejected': 'Appeal not approved',
  'status.withdrawn': 'Withdrawn',

  'form.required': '(required)',
  'form.optional': '(optional)',
  'form.sending': 'Sending…',

  'problem.generic': 'Something went wrong. Please try again later.',
  'problem.network_error': 'The server cannot be reached. Check your connection and try again.',
  'problem.rate_limited': 'Too many attempts. Please wait a moment and try again.',
  'problem.rate_limited_wait': 'Too many attempts. Please try again in {seconds} seconds.',
  'problem.unavailable': 'The service is unavailable right now. Please try again later.',

  // ── check and report pages (check.*, report.*) ──
  'check.sectionEnd': '',

  // ── appeal and track pages (appeal.*, track.*) ──
  'appeal.sectionEnd': '',

  // ── review console (review.*) ──
  'review.sectionEnd': '',
};
