// Every label of the portal in Simplified Chinese (the default language). Keys are shared with en.js;
// a test fails when one file has a key the other lacks. Group keys by page: layout.*, check.*, report.*,
// appeal.*, track.*, review.*, then the shared vocabularies kind.*, category.*, status.*, problem.*.
export default {
  'site.name': '涉诈号码查询与申诉',
  'layout.languageName': '中文',
  'layout.switchLanguageLabel': '切换到中文',
  'layout.navigation': '主导航',
  'layout.skip': '跳到正文',
  'check.title': '查一查：号码、网址、应用或账号是否涉诈',
  'report.title': '举报涉诈号码、网址或应用',
  'appeal.title': '号码被误标记？在这里申诉',
  'track.title': '查询申诉进度',
  'review.title': '审核台',

  'nav.check': '查询',
  'nav.report': '举报',
  'nav.appeal': '申诉',
  'nav.track': '申诉进度',

  'safety.title': '请注意防骗',
  'safety.money': '本服务从不以任何理由向您收取费用或要求转账。',
  'safety.calls': '本服务从不主动给您打电话。',
  'safety.links': '本服务从不通过短信发送链接。',
  'safety.official': '以本服务名义要钱、来电或发链接的都是诈骗。官方网站只有：',

  'footer.about': '本网站查询的是公安机关发布的涉诈号码、网址、应用和账号名单。号码被误标记，可在此免费申诉。',
  'footer.api': '开发者接口',
  'footer.review': '审核员登录',

  'kind.phone': '电话号码',
  'kind.url': '网址',
  'kind.domain': '域名',
  'kind.app': '应用（App）',
  'kind.account': '账号（微信、QQ、支付宝、银行卡等）',

  'category.task_brushing': '刷单返利',
  'category.loan_or_card': '贷款、办信用卡',
  'category.impersonating_authorities': '冒充公检法',
  'category.investment_romance': '投资理财、网恋交友（杀猪盘）',
  'category.impersonating_acquaintance': '冒充熟人、领导',
  'category.fake_customer_service': '冒充电商、物流客服',
  'category.fake_credit_repair': '注销校园贷、修复征信',
  'category.gambling': '网络赌博',
  'category.remote_control_app': '远程控制、共享屏幕',
  'category.other': '其他',

  'risk.low': '低',
  'risk.medium': '中',
  'risk.high': '高',

  'status.submitted': '已提交，等待审核',
  'status.in_review': '审核中',
  'status.needs_info': '需要您补充材料',
  'status.approved': '申诉通过',
  'status.rejected': '申诉未通过',
  'status.withdrawn': '已撤回',

  'form.required': '（必填）',
  'form.optional': '（选填）',
  'form.sending': '正在提交…',

  'problem.generic': '出了点问题，请稍后再试。',
  'problem.network_error': '连不上服务器，请检查网络后再试。',
  'problem.rate_limited': '操作太频繁，请稍后再试。',
  'problem.rate_limited_wait': '操作太频繁，请 {seconds} 秒后再试。',
  'problem.unavailable': '服务暂时不可用，请稍后再试。',

  // ── check and report pages (check.*, report.*) ──
  'check.sectionEnd': '',

  // ── appeal and track pages (appeal.*, track.*) ──
  'appeal.sectionEnd': '',

  // ── review console (review.*) ──
  'review.sectionEnd': '',
};
