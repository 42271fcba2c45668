package dev.landfall.meters;

import dev.landfall.local.EagleResponses;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

// The answers below follow these published samples (repo + path):
// rainforestautomation/Eagle-Http-API "EAGLE_REST_API 1.0.pdf": REST API manual; InstantaneousDemand 0x001738 x 0x00000001 / 0x000003e8 = 5.944, TimeStamp 0x185adc1d
// rainforestautomation/Eagle-Http-API README.md: real relay answers in XML and JSON ({"InstantaneousDemand": {...}}), Demand 0x0003b0, DeviceMacId 0xd8d5b90000002aeb
// rainforestautomation/Eagle-Http-API "EAGLE_REST_API 1.0.pdf" p.9: the manual's own JSON example, written { "Notification"="NetworkInfo", "DeviceMacId"="0x..." }
// jcalbert/uEagle uEagle.py: JSON keyed by notification, hex strings, multiplier/divisor 0 read as 1, "HistoryData" sent without outer braces
// evilpete/RainEagle RainEagle/EagleClass.py: get_device_data answers several fragments side by side (wrapped in <S> before parsing)
// VOLTTRON/volttron services/core/MasterDriverAgent/tests/test_eagle.py: JSON CurrentSummation with Multiplier and Divisor 0x00000000
// manualshive.com/en/manual/rainforest-automation/rfa-z109-eagle/3460132?page=19 (Uploader API manual): "if the multiplier or divisor is zero then use a value of one"
class Eagle100DecoderTest {

    @Test
    void decodesTheManualsInstantaneousDemand() {
        MeterValues v = Eagle100Decoder.decode("""
                <InstantaneousDemand>
                <DeviceMacId>0x00158d0000000004</DeviceMacId>
                <MeterMacId>0x00178d0000000004</MeterMacId>
                <TimeStamp>0x185adc1d</TimeStamp>
                <Demand>0x001738</Demand>
                <Multiplier>0x00000001</Multiplier>
                <Divisor>0x000003e8</Divisor>
                <DigitsRight>0x03</DigitsRight>
                <DigitsLeft>0x00</DigitsLeft>
                <SuppressLeadingZero>Y</SuppressLeadingZero>
                </InstantaneousDemand>
                """);
        assertEquals("5.944", v.demandKw().toPlainString());
        assertEquals(Instant.parse("2012-12-12T06:09:33Z"), v.meterTime());
        assertEquals("0x00158d0000000004", v.deviceMac());
        assertEquals("0x00178d0000000004", v.meterMac());
        assertNull(v.summationDeliveredKwh());
        assertNull(v.summationReceivedKwh());
    }

    @Test
    void decodesARelayAnswerWithCrLfLinesAndAnXmlDeclaration() {
        MeterValues v = Eagle100Decoder.decode("<?xml version=\"1.0\"?>\r\n<InstantaneousDemand>\r\n"
                + "<DeviceMacId>0xd8d5b90000002aeb</DeviceMacId>\r\n<MeterMacId>0x000781000081fd17</MeterMacId>\r\n"
                + "<TimeStamp>0x1c91ec39</TimeStamp>\r\n<Demand>0x0003b0</Demand>\r\n<Multiplier>0x00000001</Multiplier>\r\n"
                + "<Divisor>0x000003e8</Divisor>\r\n<DigitsRight>0x03</DigitsRight>\r\n<DigitsLeft>0x06</DigitsLeft>\r\n"
                + "<SuppressLeadingZero>Y</SuppressLeadingZero>\r\n</InstantaneousDemand>\r\n");
        assertDecimal("0.944", v.demandKw());
        assertEquals(Instant.parse("2015-03-10T17:54:01Z"), v.meterTime());
        assertEquals("0xd8d5b90000002aeb", v.deviceMac());
        assertEquals("0x000781000081fd17", v.meterMac());
    }

    @Test
    void elementNamesAreCaseInsensitiveAsTheManualSays() {
        MeterValues v = Eagle100Decoder.decode("<instantaneousdemand><devicemacid>0xd8d5b90000002aeb</devicemacid>"
                + "<TIMESTAMP>0x1c91ec39</TIMESTAMP><demand>0x0003b0</demand><multiplier>0x00000001</multiplier>"
                + "<divisor>0x000003e8</divisor></instantaneousdemand>");
        assertDecimal("0.944", v.demandKw());
        assertEquals("0xd8d5b90000002aeb", v.deviceMac());
        assertEquals(Instant.parse("2015-03-10T17:54:01Z"), v.meterTime());
    }

    @Test
    void decodesACurrentSummation() {
        MeterValues v = Eagle100Decoder.decode("""
                <CurrentSummation>
                <DeviceMacId>0xd8d5b90000002aeb</DeviceMacId>
                <MeterMacId>0x000781000081fd17</MeterMacId>
                <TimeStamp>0x1c91ec39</TimeStamp>
                <SummationDelivered>0x057ad9e2</SummationDelivered>
                <SummationReceived>0x000091a3</SummationReceived>
                <Multiplier>0x00000001</Multiplier>
                <Divisor>0x000003e8</Divisor>
                <DigitsRight>0x03</DigitsRight>
                <DigitsLeft>0x0a</DigitsLeft>
                <SuppressLeadingZero>Y</SuppressLeadingZero>
                </CurrentSummation>
                """);
        assertEquals("91937.25", v.summationDeliveredKwh().toPlainString());
        assertEquals("37.283", v.summationReceivedKwh().toPlainString());
        assertNull(v.demandKw());
        assertEquals(Instant.parse("2015-03-10T17:54:01Z"), v.meterTime());
        assertEquals("0x000781000081fd17", v.meterMac());
    }

    @Test
    void decodesAGetDeviceDataAnswerOfSeveralTopLevelFragments() {
        MeterValues v = Eagle100Decoder.decode("""
                <NetworkInfo>
                <DeviceMacId>0xd8d5b90000002aeb</DeviceMacId>
                <InstallCode>0x94496e6dcf06b7d1</InstallCode>
                <FWVersion>1.4.48 (6952)</FWVersion>
                <ModelId>Z109-EAGLE</ModelId>
                <Protocol>Zigbee</Protocol>
                </NetworkInfo>
                <InstantaneousDemand>
                <DeviceMacId>0xd8d5b90000002aeb</DeviceMacId>
                <MeterMacId>0x000781000081fd17</MeterMacId>
                <TimeStamp>0x2a1b3c60</TimeStamp>
                <Demand>0x0004d2</Demand>
                <Multiplier>0x00000001</Multiplier>
                <Divisor>0x000003e8</Divisor>
                <DigitsRight>0x03</DigitsRight>
                <DigitsLeft>0x06</DigitsLeft>
                <SuppressLeadingZero>Y</SuppressLeadingZero>
                </InstantaneousDemand>
                <CurrentSummation>
                <DeviceMacId>0xd8d5b90000002aeb</DeviceMacId>
                <MeterMacId>0x000781000081fd17</MeterMacId>
                <TimeStamp>0x2a1b3c4d</TimeStamp>
                <SummationDelivered>0x032553a1</SummationDelivered>
                <SummationReceived>0x00000000</SummationReceived>
                <Multiplier>0x00000001</Multiplier>
                <Divisor>0x000003e8</Divisor>
                <DigitsRight>0x03</DigitsRight>
                <DigitsLeft>0x0a</DigitsLeft>
                <SuppressLeadingZero>Y</SuppressLeadingZero>
                </CurrentSummation>
                <PriceCluster>
                <DeviceMacId>0xd8d5b90000002aeb</DeviceMacId>
                <MeterMacId>0x000781000081fd17</MeterMacId>
                <TimeStamp>0x2a1b3c4d</TimeStamp>
                <Price>0x0000007d</Price>
                <Currency>0x0348</Currency>
                <TrailingDigits>0x03</TrailingDigits>
                <Tier>0x01</Tier>
                <RateLabel>Set by User</RateLabel>
                </PriceCluster>
                """);
        assertDecimal("1.234", v.demandKw());
        assertEquals("52777.889", v.summationDeliveredKwh().toPlainString());
        assertEquals("0", v.summationReceivedKwh().toPlainString());
        assertEquals(Instant.parse("2022-05-21T06:00:00Z"), v.meterTime(), "the newer of the two readings");
        assertEquals("0xd8d5b90000002aeb", v.deviceMac());
        assertEquals("0x000781000081fd17", v.meterMac());
    }

    @Test
    void decodesTheJsonAnswerOfTheRelay() {
        MeterValues v = Eagle100Decoder.decode("""
                {
                "InstantaneousDemand": {
                "DeviceMacId": "0xd8d5b90000002aeb",
                "MeterMacId": "0x000781000081fd17",
                "TimeStamp": "0x1c9347b8",
                "Demand": "0x0003b0",
                "Multiplier": "0x00000001",
                "Divisor": "0x000003e8",
                "DigitsRight": "0x03",
                "DigitsLeft": "0x06",
                "SuppressLeadingZero": "Y"}
                }
                """);
        assertDecimal("0.944", v.demandKw());
        assertEquals(Instant.parse("2015-03-11T18:36:40Z"), v.meterTime());
        assertEquals("0xd8d5b90000002aeb", v.deviceMac());
        assertEquals("0x000781000081fd17", v.meterMac());
    }

    @Test
    void decodesJsonWithSeveralNotificationsInOneObject() {
        MeterValues v = Eagle100Decoder.decode("""
                {"NetworkStatus": {"DeviceMacId": "0xd8d5b90000002aeb", "Status": "Connected", "LinkStrength": "0x64"},
                 "InstantaneousDemand": {"DeviceMacId": "0xd8d5b90000002aeb", "MeterMacId": "0x000781000081fd17",
                   "TimeStamp": "0x2a1b3c4d", "Demand": "0xfffffe", "Multiplier": "0x00000001", "Divisor": "0x000003e8"},
                 "CurrentSummation": {"DeviceMacId": "0xd8d5b90000002aeb", "MeterMacId": "0x000781000081fd17",
                   "TimeStamp": "0x2a1b3c4d", "SummationDelivered": "0x032553a1", "SummationReceived": "0x000091a3",
                   "Multiplier": "0x00000001", "Divisor": "0x000003e8"}}
                """);
        assertDecimal("-0.002", v.demandKw());
        assertDecimal("52777.889", v.summationDeliveredKwh());
        assertDecimal("37.283", v.summationReceivedKwh());
        assertEquals(Instant.parse("2022-05-21T05:59:41Z"), v.meterTime());
    }

    @Test
    void decodesJsonNotificationsSentOneAfterTheOther() {
        MeterValues v = Eagle100Decoder.decode("""
                {"InstantaneousDemand": {"TimeStamp": "0x2a1b3c4d", "Demand": "0x0004d2",
                  "Multiplier": "0x00000001", "Divisor": "0x000003e8"}}
                {"CurrentSummation": {"TimeStamp": "0x2a1b3c4d", "SummationDelivered": "0x032553a1",
                  "SummationReceived": "0x00000000", "Multiplier": "0x00000001", "Divisor": "0x000003e8"}}
                """);
        assertDecimal("1.234", v.demandKw());
        assertDecimal("52777.889", v.summationDeliveredKwh());
        assertDecimal("0", v.summationReceivedKwh());
        assertNull(v.deviceMac());
        assertNull(v.meterMac());
    }

    @Test
    void readsTheManualsOwnJsonNotationWithEqualsSigns() {
        MeterValues v = Eagle100Decoder.decode("""
                { "Notification"="InstantaneousDemand",
                  "DeviceMacId"="0x00158d00001aba29",
                  "MeterMacId"="0x00178d0000000004",
                  "TimeStamp"="0x185adc1d",
                  "Demand"="0x001738",
                  "Multiplier"="0x00000001",
                  "Divisor"="0x000003e8",
                  "DigitsRight"="0x03",
                  "DigitsLeft"="0x00",
                  "SuppressLeadingZero"="Y"}
                """);
        assertDecimal("5.944", v.demandKw());
        assertEquals("0x00158d00001aba29", v.deviceMac());
        assertEquals(Instant.parse("2012-12-12T06:09:33Z"), v.meterTime());
    }

    @Test
    void readsJsonThatLacksItsOuterBraces() {
        MeterValues v = Eagle100Decoder.decode("\"CurrentSummation\": {\"DeviceMacId\": \"0xd8d5b90000002aeb\", "
                + "\"TimeStamp\": \"0x1c91ec39\", \"SummationDelivered\": \"0x057ad9e2\", \"SummationReceived\": \"0x00000000\", "
                + "\"Multiplier\": \"0x00000001\", \"Divisor\": \"0x000003e8\"}");
        assertDecimal("91937.25", v.summationDeliveredKwh());
        assertDecimal("0", v.summationReceivedKwh());
    }

    @Test
    void sixDigitDemandIsSigned24Bit() {
        assertDecimal("-0.002", demandOf("0xfffffe", "0x00000001", "0x000003e8"));
        assertDecimal("-8388.608", demandOf("0x800000", "0x00000001", "0x000003e8"));
        assertDecimal("8388.607", demandOf("0x7fffff", "0x00000001", "0x000003e8"));
        assertDecimal("0", demandOf("0x000000", "0x00000001", "0x000003e8"));
    }

    @Test
    void eightDigitDemandIsSignExtendedTo32Bit() {
        assertDecimal("-0.002", demandOf("0xfffffffe", "0x00000001", "0x000003e8"));
        assertDecimal("4.66", demandOf("0x00001234", "0x00000001", "0x000003e8"));
        assertDecimal("16777.214", demandOf("0x00fffffe", "0x00000001", "0x000003e8"));
        assertDecimal("-2147483.648", demandOf("0x80000000", "0x00000001", "0x000003e8"));
    }

    @Test
    void aMultiplierOrDivisorOfZeroIsReadAsOne() {
        assertDecimal("944", demandOf("0x0003b0", "0x00000000", "0x00000000"));
        assertDecimal("9440", demandOf("0x0003b0", "0x0000000a", "0x00000000"));
        assertDecimal("0.944", demandOf("0x0003b0", "0x00000000", "0x000003e8"));
        MeterValues v = Eagle100Decoder.decode("{\"CurrentSummation\": {\"DeviceMacId\": \"0xffffffffffffffff\", "
                + "\"Divisor\": \"0x00000000\", \"TimeStamp\": \"0x00000000\", \"MeterMacId\": \"0xffffffffffffffff\", "
                + "\"Multiplier\": \"0x00000000\", \"DigitsRight\": \"0x00\", \"DigitsLeft\": \"0x00\", "
                + "\"SuppressLeadingZero\": \"N\", \"SummationReceived\": \"0x00000000\", \"SummationDelivered\": \"0x00000010\"}}");
        assertDecimal("16", v.summationDeliveredKwh());
        assertDecimal("0", v.summationReceivedKwh());
        assertEquals(Instant.parse("2000-01-01T00:00:00Z"), v.meterTime());
    }

    @Test
    void summationsAreUnsignedAndMayHaveTwelveOrMoreDigits() {
        MeterValues v = Eagle100Decoder.decode(summation("0xffffffffffff", "0xffffffff", "0x00000001", "0x000003e8"));
        assertEquals("281474976710.655", v.summationDeliveredKwh().toPlainString());
        assertEquals("4294967.295", v.summationReceivedKwh().toPlainString());
        MeterValues huge = Eagle100Decoder.decode(summation("0xffffffffffffffffffff", "0x0", "0x00000001", "0x00000001"));
        assertEquals("1208925819614629174706175", huge.summationDeliveredKwh().toPlainString());
    }

    @Test
    void aQuotientThatDoesNotTerminateIsRoundedHalfEvenToNinePlaces() {
        MeterValues v = Eagle100Decoder.decode(summation("0x0000000a", "0x00000002", "0x00000001", "0x00000003"));
        assertEquals("3.333333333", v.summationDeliveredKwh().toPlainString());
        assertEquals("0.666666667", v.summationReceivedKwh().toPlainString());
    }

    @Test
    void wholeValuesArePlainNotExponents() {
        assertEquals("20", demandOf("0x004e20", "0x00000001", "0x000003e8").toPlainString());
        assertEquals("20", demandOf("0x004e20", "0x00000001", "0x000003e8").toString());
    }

    @Test
    void ofSeveralSummationsTheNewestIsTaken() {
        MeterValues v = Eagle100Decoder.decode("""
                <HistoryData>
                <CurrentSummation><TimeStamp>0x2a1b3c4d</TimeStamp><SummationDelivered>0x00000001</SummationDelivered>
                <SummationReceived>0x00000000</SummationReceived><Multiplier>0x00000001</Multiplier><Divisor>0x000003e8</Divisor></CurrentSummation>
                <CurrentSummation><TimeStamp>0x2a1b3c60</TimeStamp><SummationDelivered>0x00000002</SummationDelivered>
                <SummationReceived>0x00000000</SummationReceived><Multiplier>0x00000001</Multiplier><Divisor>0x000003e8</Divisor></CurrentSummation>
                </HistoryData>
                """);
        assertDecimal("0.002", v.summationDeliveredKwh());
        assertEquals(Instant.parse("2022-05-21T06:00:00Z"), v.meterTime());
    }

    @Test
    void aMissingTimeStampLeavesTheMeterTimeOpen() {
        MeterValues v = Eagle100Decoder.decode("<InstantaneousDemand><Demand>0x0003b0</Demand>"
                + "<Multiplier>0x00000001</Multiplier><Divisor>0x000003e8</Divisor></InstantaneousDemand>");
        assertNull(v.meterTime());
        assertNull(v.meterMac());
        assertDecimal("0.944", v.demandKw());
    }

    @Test
    void anErrorReplyIsAnEagleErrorReply() {
        EagleErrorReply unknown = assertThrows(EagleErrorReply.class,
                () -> Eagle100Decoder.decode("<Error>\n<Text>Unknown command</Text>\n</Error>\n"));
        assertFalse(unknown.credentials());
        assertTrue(unknown.getMessage().contains("Unknown command"), unknown.getMessage());

        EagleErrorReply json = assertThrows(EagleErrorReply.class,
                () -> Eagle100Decoder.decode("{\"Error\": {\"Text\": \"Command not supported\"}}"));
        assertFalse(json.credentials());
        assertTrue(json.getMessage().contains("Command not supported"), json.getMessage());
    }

    @Test
    void aReplyAboutCredentialsSaysSo() {
        for (String body : List.of(
                EagleResponses.eagle100Error("Invalid user or password"),
                "<Error><Text>Invalid Cloud ID</Text></Error>",
                "{\"error\": \"Unauthorized\"}",
                "{\"Error\": {\"Text\": \"Authentication failed\"}}",
                "Unauthorized",
                "401 Unauthorized: invalid install code",
                "\"Unauthorized\"",
                "<html><head><title>401 Unauthorized</title></head><body><h1>401 Unauthorized</h1></body></html>",
                LIGHTTPD_401)) {
            EagleErrorReply e = assertThrows(EagleErrorReply.class, () -> Eagle100Decoder.decode(body), body);
            assertTrue(e.credentials(), body);
        }
    }

    @Test
    void messagesNeverEchoWhatLooksLikeCredentials() {
        EagleErrorReply e = assertThrows(EagleErrorReply.class, () -> Eagle100Decoder.decode(
                "<Error><Text>Invalid password s3cret-pw for user joe@example.com</Text></Error>"));
        assertTrue(e.credentials());
        assertFalse(e.getMessage().contains("joe@example.com"), e.getMessage());
        assertFalse(e.getMessage().contains("s3cret-pw"), e.getMessage());
        EagleErrorReply plain = assertThrows(EagleErrorReply.class,
                () -> Eagle100Decoder.decode("Unauthorized: password s3cret-pw rejected"));
        assertFalse(plain.getMessage().contains("s3cret-pw"), plain.getMessage());
    }

    @Test
    void garbageHtmlAndEmptyBodiesAreNotReadings() {
        for (String body : new String[] {null, "", "   \r\n ", "hello", "0x0003b0", "<html><head><title>404 Not Found</title>"
                + "</head><body><h1>404 Not Found</h1></body></html>", "<!DOCTYPE html><html><body>Eagle</body></html>",
                "<InstantaneousDemand><Demand>0x0003b0</Demand>", "<NetworkInfo><DeviceMacId>0xd8d5b90000002aeb"
                + "</DeviceMacId><ModelId>Z109-EAGLE</ModelId></NetworkInfo>", "{}", "[]", "{\"InstantaneousDemand\": {",
                "{\"NetworkInfo\": {\"ModelId\": \"Z109-EAGLE\"}}"}) {
            EagleResponseException e = assertThrows(EagleResponseException.class, () -> Eagle100Decoder.decode(body),
                    String.valueOf(body));
            assertFalse(e instanceof EagleErrorReply, String.valueOf(body));
            assertTrue(e.getMessage().length() <= 120, e.getMessage());
        }
    }

    @Test
    void badHexIsRefused() {
        for (String demand : new String[] {"0x12G4", "1738", "", "0x", "-0x10", "0x 1738", "0xfffffffffffffffff"}) {
            assertThrows(EagleResponseException.class,
                    () -> Eagle100Decoder.decode(demandXml(demand, "0x00000001", "0x000003e8")), demand);
        }
        assertThrows(EagleResponseException.class, () -> demandOf("0x0003b0", "one", "0x000003e8"));
        assertThrows(EagleResponseException.class, () -> demandOf("0x0003b0", "0x00000001", "0x3e8.0"));
        assertThrows(EagleResponseException.class,
                () -> Eagle100Decoder.decode(summation("0xZZ", "0x00000000", "0x00000001", "0x000003e8")));
        assertThrows(EagleResponseException.class, () -> Eagle100Decoder.decode("<InstantaneousDemand>"
                + "<TimeStamp>yesterday</TimeStamp><Demand>0x0003b0</Demand></InstantaneousDemand>"));
        assertThrows(EagleResponseException.class, () -> Eagle100Decoder.decode("{\"InstantaneousDemand\": "
                + "{\"Demand\": 5944, \"Multiplier\": \"0x00000001\", \"Divisor\": \"0x000003e8\"}}"));
    }

    @Test
    void externalEntitiesAndDtdsAreRefused() {
        String xxe = """
                <?xml version="1.0"?>
                <!DOCTYPE InstantaneousDemand [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
                <InstantaneousDemand><Demand>&xxe;</Demand><Multiplier>0x00000001</Multiplier>
                <Divisor>0x000003e8</Divisor></InstantaneousDemand>
                """;
        EagleResponseException e = assertThrows(EagleResponseException.class, () -> Eagle100Decoder.decode(xxe));
        assertFalse(e.getMessage().contains("root"), e.getMessage());
        String laughs = "<!DOCTYPE d [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">"
                + "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]><InstantaneousDemand><Demand>&c;</Demand></InstantaneousDemand>";
        assertThrows(EagleResponseException.class, () -> Eagle100Decoder.decode(laughs));
        assertThrows(EagleResponseException.class, () -> Eagle100Decoder.decode(
                "<InstantaneousDemand><Demand>&xxe;</Demand></InstantaneousDemand>"));
    }

    @Test
    void commandsFollowTheRestApi() {
        assertEquals("<Command><Name>get_device_data</Name></Command>", EagleCommands.eagle100DeviceData(null));
        assertEquals("<Command><Name>get_device_data</Name><MacId>0xd8d5b90000002aeb</MacId><Format>JSON</Format></Command>",
                EagleCommands.eagle100DeviceData("0xd8d5b90000002aeb", true));
        assertEquals("<Command><Name>get_instantaneous_demand</Name></Command>",
                EagleCommands.eagle100InstantaneousDemand(" ", false));
        assertEquals("<Command><Name>get_current_summation</Name><MacId>a&lt;b&amp;c</MacId></Command>",
                EagleCommands.eagle100CurrentSummation("a<b&c", false));
    }

    @Test
    void renderedAnswersDecodeBackExactly() {
        for (long seed = 1; seed <= 40; seed++) {
            Random r = new Random(seed);
            for (int i = 0; i < 25; i++) {
                boolean json = r.nextBoolean();
                int digits = r.nextBoolean() ? 6 : 8;
                MeterValues v = randomValues(r, digits);
                String body = EagleResponses.eagle100DeviceData(v, json, digits);
                assertSameValues(v, Eagle100Decoder.decode(body), "seed " + seed + " #" + i + ":\n" + body);
            }
        }
    }

    private static final String LIGHTTPD_401 = """
            <?xml version="1.0" encoding="iso-8859-1"?>
            <!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"
                     "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
            <html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">
             <head>
              <title>401 - Unauthorized</title>
             </head>
             <body>
              <h1>401 - Unauthorized</h1>
             </body>
            </html>
            """;

    private static MeterValues randomValues(Random r, int digits) {
        long half = digits == 6 ? 1L << 23 : 1L << 31;
        BigDecimal demand = r.nextInt(8) == 0 ? null : BigDecimal.valueOf(-half + Math.floorMod(r.nextLong(), 2 * half), 3);
        BigDecimal delivered = r.nextInt(8) == 0 ? null : BigDecimal.valueOf(r.nextLong() >>> 16, 3);
        BigDecimal received = r.nextInt(8) == 0 ? null : BigDecimal.valueOf(r.nextInt(4) == 0 ? 0 : r.nextLong() >>> 24, 3);
        if (demand == null && delivered == null && received == null) {
            demand = BigDecimal.valueOf(-2, 3);
        }
        Instant time = r.nextInt(10) == 0 ? null : Instant.ofEpochSecond(946_684_800L + (r.nextLong() >>> 32));
        String deviceMac = r.nextInt(10) == 0 ? null : String.format("0x%016x", r.nextLong());
        String meterMac = r.nextInt(10) == 0 ? null : String.format("0x%016x", r.nextLong());
        return new MeterValues(time, demand, delivered, received, deviceMac, meterMac);
    }

    static void assertSameValues(MeterValues expected, MeterValues actual, String where) {
        assertEquals(expected.meterTime(), actual.meterTime(), where);
        assertSameDecimal(expected.demandKw(), actual.demandKw(), where);
        assertSameDecimal(expected.summationDeliveredKwh(), actual.summationDeliveredKwh(), where);
        assertSameDecimal(expected.summationReceivedKwh(), actual.summationReceivedKwh(), where);
        assertEquals(expected.deviceMac(), actual.deviceMac(), where);
        assertEquals(expected.meterMac(), actual.meterMac(), where);
    }

    private static void assertSameDecimal(BigDecimal expected, BigDecimal actual, String where) {
        if (expected == null) {
            assertNull(actual, where);
        } else {
            assertNotNull(actual, where);
            assertEquals(0, expected.compareTo(actual), () -> expected + " != " + actual + " in " + where);
        }
    }

    static void assertDecimal(String expected, BigDecimal actual) {
        assertNotNull(actual, "expected " + expected);
        assertEquals(0, new BigDecimal(expected).compareTo(actual), () -> "expected " + expected + " but was " + actual);
    }

    private static BigDecimal demandOf(String demand, String multiplier, String divisor) {
        return Eagle100Decoder.decode(demandXml(demand, multiplier, divisor)).demandKw();
    }

    private static String demandXml(String demand, String multiplier, String divisor) {
        return "<InstantaneousDemand>\n<DeviceMacId>0xd8d5b90000002aeb</DeviceMacId>\n"
                + "<MeterMacId>0x000781000081fd17</MeterMacId>\n<TimeStamp>0x1c91ec39</TimeStamp>\n"
                + "<Demand>" + demand + "</Demand>\n<Multiplier>" + multiplier + "</Multiplier>\n"
                + "<Divisor>" + divisor + "</Divisor>\n<DigitsRight>0x03</DigitsRight>\n<DigitsLeft>0x06</DigitsLeft>\n"
                + "<SuppressLeadingZero>Y</SuppressLeadingZero>\n</InstantaneousDemand>\n";
    }

    private static String summation(String delivered, String received, String multiplier, String divisor) {
        return "<CurrentSummation>\n<DeviceMacId>0xd8d5b90000002aeb</DeviceMacId>\n"
                + "<MeterMacId>0x000781000081fd17</MeterMacId>\n<TimeStamp>0x1c91ec39</TimeStamp>\n"
                + "<SummationDelivered>" + delivered + "</SummationDelivered>\n"
                + "<SummationReceived>" + received + "</SummationReceived>\n"
                + "<Multiplier>" + multiplier + "</Multiplier>\n<Divisor>" + divisor + "</Divisor>\n"
                + "<DigitsRight>0x03</DigitsRight>\n<DigitsLeft>0x0a</DigitsLeft>\n"
                + "<SuppressLeadingZero>Y</SuppressLeadingZero>\n</CurrentSummation>\n";
    }
}
