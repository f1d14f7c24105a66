namespace FlagApi.Identifiers.Tests;

/// <summary>
/// Messages written for these tests in the shapes people receive them: fraud SMS and chats (fake delivery, police,
/// customs, refunds, loans, investment groups, "new number" relatives) and ordinary ones (family, meetings, bank
/// notices from 955xx senders, verification codes, amounts, dates, order numbers), each with every item it must yield
/// as <c>kind | text as written | canonical</c>, in order of appearance.
/// </summary>
public static class MessageCorpus
{
    /// <summary>The apps the corpus treats as listed, in canonical form.</summary>
    public static readonly string[] ListedApps = ["云客服", "安心借", "cloudmeet", "com.fake.bankguard"];

    public static TheoryData<string, string[]> Messages => new()
    {
        // Fake delivery.
        {
            "【顺丰速运】您的快递因地址不详无法派送，请联系客服 138-0013-8000 或点击 http://sf-express.top/a8 更新地址。",
            ["phone | 138-0013-8000 | +8613800138000", "url | http://sf-express.top/a8 | http://sf-express.top/a8"]
        },
        {
            "【中国邮政】您的包裹滞留，请于24小时内登录 www.chinapost-cn.vip 补填信息，逾期退回。",
            ["domain | www.chinapost-cn.vip | www.chinapost-cn.vip"]
        },
        {
            "Your package is on hold due to unpaid customs fee of $2.99. Pay now: hxxps://usps-redelivery[.]top/track",
            ["url | hxxps://usps-redelivery[.]top/track | https://usps-redelivery.top/track"]
        },
        {
            "USPS: We could not deliver your parcel. Update your address at h t t p s://usps.trackhelp.xyz/us within 12 hours.",
            ["url | h t t p s://usps.trackhelp.xyz/us | https://usps.trackhelp.xyz/us"]
        },
        {
            "您的快递已到菜鸟驿站，取件码 5-2-3018，请于今日18:00前取件。",
            []
        },
        {
            "【菜鸟】您的包裹异常，理赔请添加客服微信：cainiao-kf2024，或拨打 400 888 6666。",
            ["account | 微信：cainiao-kf2024 | wechat:cainiao-kf2024", "phone | 400 888 6666 | +864008886666"]
        },
        {
            "Order #A-77812 shipped. Track: https://www.dhl.com/track?id=JD014600003828 Estimated delivery 3-5 days.",
            ["url | https://www.dhl.com/track?id=JD014600003828 | https://www.dhl.com/track?id=JD014600003828"]
        },

        // Fake police, courts, customs and officials.
        {
            "您好，我是上海市公安局民警，您涉嫌一起洗钱案件，请立即拨打 021-6228-5000 配合调查，不要告诉家人。",
            ["phone | 021-6228-5000 | +862162285000"]
        },
        {
            "【海关】您有一件国际包裹涉嫌违禁品被扣留，请致电+86 10 8888 6666处理，否则将承担法律责任。",
            ["phone | +86 10 8888 6666 | +861088886666"]
        },
        {
            "【公安部】您的身份信息被冒用，案件编号：SH20240512，请加入安全防护会议，下载 Cloud Meet 并联系刘警官 152 0000 1234。",
            ["app | Cloud Meet | cloudmeet", "phone | 152 0000 1234 | +8615200001234"]
        },
        {
            "您好，这里是深圳市中级人民法院，您有一张传票未领取，请按9转人工或拨打0755—8326 5000咨询。",
            ["phone | 0755—8326 5000 | +8675583265000"]
        },
        {
            "您好，您的社保卡已被冻结，请立即联系社保局工作人员：139-8765-4321，逾期将影响医保报销。",
            ["phone | 139-8765-4321 | +8613987654321"]
        },
        {
            "IRS NOTICE: You owe back taxes. Failure to pay will result in arrest. Call +1 202-555-0178 today.",
            ["phone | +1 202-555-0178 | +12025550178"]
        },
        {
            "你好，我是你领导，明天到我办公室来一趟。先加我新QQ：3210987654，有事交代。",
            ["account | QQ：3210987654 | qq:3210987654"]
        },

        // Refunds and shopping.
        {
            "淘宝客服：您购买的商品质量有问题，我们将为您办理三倍退款，请加QQ：2851234567 领取。",
            ["account | QQ：2851234567 | qq:2851234567"]
        },
        {
            "亲，您的订单 2024051200123456 退款失败，请下载云客服，输入邀请码 882731 按提示操作。",
            ["app | 云客服 | 云客服"]
        },
        {
            "【拼多多】恭喜您获得免单资格，添加客服支付宝：pay.refund@163.com 领取，回T退订",
            ["account | 支付宝：pay.refund@163.com | alipay:pay.refund@163.com"]
        },
        {
            "【云客服】您的退款已受理，请在应用商店搜索“云客服”下载，或访问 yunkefu.app 安装 com.fake.bankguard 安全组件。",
            [
                "app | 云客服 | 云客服", "app | 云客服 | 云客服", "domain | yunkefu.app | yunkefu.app",
                "app | com.fake.bankguard | com.fake.bankguard",
            ]
        },
        {
            "Your Amazon account is locked. Call our support team at +1 (888) 555-0143 immediately to avoid charges.",
            ["phone | +1 (888) 555-0143 | +18885550143"]
        },
        {
            "Your Apple ID was used to sign in on a new device. If this wasn't you, visit apple-id-support.com/verify or call +1-800-555-0199.",
            ["url | apple-id-support.com/verify | http://apple-id-support.com/verify", "phone | +1-800-555-0199 | +18005550199"]
        },
        {
            "Congratulations! You have won a $1,000 Walmart gift card. Claim it at walmart-gifts.shop before 11/30.",
            ["domain | walmart-gifts.shop | walmart-gifts.shop"]
        },
        {
            "免费领取iPhone 15！仅限今天，访问 http://apple-free.cn?from=sms 填写信息，咨询电话：020-8123 4567",
            ["url | http://apple-free.cn?from=sms | http://apple-free.cn/?from=sms", "phone | 020-8123 4567 | +862081234567"]
        },

        // Loans, credit and bank impersonation.
        {
            "【京东金融】您的白条额度异常，将影响征信，请速联系专员 17012345678 注销校园贷账户。",
            ["phone | 17012345678 | +8617012345678"]
        },
        {
            "【安心借】尊敬的用户，您的借款申请已通过，额度50000元，请访问 axj点vip/loan 完成提现。",
            ["app | 安心借 | 安心借", "url | axj点vip/loan | http://axj.vip/loan"]
        },
        {
            "您在我司的贷款已逾期，请于今天下午5点前还款至支付宝账号：13512345678，否则将通知您的通讯录好友。",
            ["account | 支付宝账号：13512345678 | alipay:+8613512345678"]
        },
        {
            "【建设银行】您的账户存在风险，请点击 https：//ccb-safe。com/auth 进行验证。",
            ["url | https：//ccb-safe。com/auth | https://ccb-safe.com/auth"]
        },
        {
            "[Bank of China] Dear customer, your account has been suspended. Verify at https://boc-verify.com.cn/login?id=8842 now.",
            ["url | https://boc-verify.com.cn/login?id=8842 | https://boc-verify.com.cn/login?id=8842"]
        },
        {
            "您的ETC已失效，请登录ｅｔｃ－ｓｅｒｖｉｃｅ．ｃｏｍ重新认证，退订回T",
            ["domain | ｅｔｃ－ｓｅｒｖｉｃｅ．ｃｏｍ | etc-service.com"]
        },
        {
            "您的积分即将过期，请登录 jifen-10086.cn 兑换礼品，退订回TD",
            ["domain | jifen-10086.cn | jifen-10086.cn"]
        },
        {
            "发件人 106980095188：您的话费积分可兑换现金，点击 t.cn/A6xYz9 领取。",
            ["phone | 106980095188 | +86106980095188", "url | t.cn/A6xYz9 | http://t.cn/A6xYz9"]
        },

        // Investment groups, part-time "jobs", crypto.
        {
            "恭喜您被选为幸运用户！添加导师微信：wxid_k8s7d6f5 进入股票内部群，每天稳赚10%。",
            ["account | 微信：wxid_k8s7d6f5 | wechat:wxid_k8s7d6f5"]
        },
        {
            "Investment group: join our Telegram tg: @crypto_king88 for 300% daily returns, deposit USDT to your TRC20 wallet.",
            ["account | tg: @crypto_king88 | telegram:crypto_king88"]
        },
        {
            "投资理财群：老师带单，日收益20%，下载 安心借 app，客服电话 400-820-1234。",
            ["app | 安心借 | 安心借", "phone | 400-820-1234 | +864008201234"]
        },
        {
            "兼职刷单，日结300-500元，在家就能做，加我纸飞机：@shuadan_vip",
            ["account | 纸飞机：@shuadan_vip | telegram:shuadan_vip"]
        },
        {
            "Get rich fast! Our AI trading bot earns 5% daily. Sign up at www.quantbot-profit.net and use code 778899 for a bonus.",
            ["domain | www.quantbot-profit.net | www.quantbot-profit.net"]
        },

        // Relatives and friends "in trouble".
        {
            "妈，我手机掉水里了，这是我新号码 139 1234 5678，先别告诉爸，急用钱。",
            ["phone | 139 1234 5678 | +8613912345678"]
        },
        {
            "爸，我同学车祸住院了，你先转3000块到这个银行卡号：6222 0212 3456 7890 128，我回头还你。",
            ["account | 银行卡号：6222 0212 3456 7890 128 | bank_card:6222021234567890128"]
        },
        {
            "这是我的新手机号：１３６ ０１２３ ４５６７，旧号不用了。",
            ["phone | １３６ ０１２３ ４５６７ | +8613601234567"]
        },
        {
            "您的孩子在学校突发疾病，正在抢救，请立即转账手术费到班主任微信 wxid_9f8e7d 并联系 18912345678。",
            ["phone | 18912345678 | +8618912345678"]
        },
        {
            "Hi mum, it's me. I dropped my phone, this is my new number +44 7700 900123. Can you text me on WhatsApp?",
            ["phone | +44 7700 900123 | +447700900123"]
        },
        {
            "I'm stuck in Dubai and lost my wallet. Please send $500 via PayPal: help.me.home@gmail.com, I'll pay you back.",
            ["account | PayPal: help.me.home@gmail.com | paypal:help.me.home@gmail.com"]
        },

        // Genuine notices from banks, carriers and services.
        {
            "【工商银行】您尾号8842的账户于05月12日14:32支出人民币1,280.00元，余额23,456.78元。如有疑问请致电95588。",
            ["phone | 95588 | +8695588"]
        },
        {
            "【招商银行】验证码：483920，您正在进行网上支付，切勿告知他人。客服95555",
            ["phone | 95555 | +8695555"]
        },
        {
            "【平安银行】尊敬的客户，您的动态密码为 902184，有效期5分钟。如非本人操作请致电 95511。",
            ["phone | 95511 | +8695511"]
        },
        {
            "【中国移动】尊敬的客户，您本月话费账单已出，详情请拨打10086查询。",
            ["phone | 10086 | +8610086"]
        },
        {
            "【12306】您购买的G1234次列车因故停运，退票请联系 0755-8888 1234，并登陆 12306-tuipiao.com 办理。",
            ["phone | 12306 | +8612306", "phone | 0755-8888 1234 | +8675588881234", "domain | 12306-tuipiao.com | 12306-tuipiao.com"]
        },
        {
            "【美团】您的外卖订单已送达，订单号 17394820583，感谢您的支持。",
            []
        },
        {
            "Your verification code is 739201. It expires in 10 minutes. Do not share it with anyone.",
            []
        },
        {
            "Your OTP for login is 4829. Ref no. 88273645. Never share OTP with anyone including bank staff.",
            []
        },
        {
            "小区通知：明早9:00-12:00停水，请提前储水。物业电话 0571-8765 4321。",
            ["phone | 0571-8765 4321 | +8657187654321"]
        },

        // Ordinary messages: nothing to find.
        {
            "晚上回家吃饭吗？我买了排骨，七点前到家。",
            []
        },
        {
            "明天下午3点在公司楼下见，记得带上合同，共2份。",
            []
        },
        {
            "老婆我到家了，路上有点堵，饭菜热一下就好。",
            []
        },
        {
            "周末一起去爬山吗？早上8:30在地铁站2号口集合，门票每人60元。",
            []
        },
        {
            "会议改到5月20日下午2:00，地点3楼305会议室，电话分机 8021。",
            []
        },
        {
            "今晚八点，老地方见。顺便带两瓶可乐，12块钱那种。",
            []
        },
        {
            "Dinner at 7? I booked a table for 4 at Luigi's on 5th street. Bill is $86.50 split two ways.",
            []
        },
        {
            "Meeting moved to 3.30pm in room 4.12, see agenda v2.1 on the shared drive.",
            []
        },
        {
            "Hey! Long time no see. Are you coming to Sarah's wedding on 2024-06-15? RSVP by Friday.",
            []
        },
        {
            "Reminder: your dentist appointment is on 12/05 at 10:15. Reply C to confirm. Dr. Chen's office.",
            []
        },
        {
            "Team lunch is on me today 🎉 order anything from the menu, budget 150 per person.",
            []
        },
        {
            "本月工资已到账，实发8,650.00元，年终奖预计2025年1月20日发放。",
            []
        },
    };
}
