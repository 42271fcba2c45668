package dev.landfall.meters;

import dev.landfall.local.EagleResponses;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Random;

import static dev.landfall.meters.Eagle100DecoderTest.assertDecimal;
import static dev.landfall.meters.Eagle100DecoderTest.assertSameValues;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

// The answers below follow these published samples (repo + path):
// ggfevans/rainforest-EAGLE-commands EAGLE-200-Local-API-Manual-v1.0.md: device_list Device 0x000781000081fd0b (ModelId electric_meter, LastContact 0x5989f8f5), device_query Value "21.499 kW"
// tonymitchell/rfa-eagle-api tests/sample_device_list_response.xml: DeviceList with one electric_meter, HardwareAddress 0x0007810000123456
// tonymitchell/rfa-eagle-api tests/sample_device_query_response.xml: DeviceDetails with NetworkInterface 0xd8d5b90000001234 and LastContact 0x5c5aff97, Value 2.790000 with Units kW
// tonymitchell/rfa-eagle-api eagle/localapi.py: LastContact read as hex Unix seconds, NetworkInterface is the EAGLE's MAC
// home-assistant-libs/aioeagle data.txt: variables with a separate Units ('Value': '1.965000', 'Units': 'kW'); aioeagle/hub.py: HTTP 401 means bad auth, meters have ModelId electric_meter
// gtdiehl/eagle200_reader eagle200_reader/eagle200_reader.py: device_query with <Components><All>Y</All></Components>
class Eagle200DecoderTest {

    private static final String UNITS_APART = """
            <Device>
              <DeviceDetails>
                <Name>Power Meter</Name>
                <HardwareAddress>0x0007810000123456</HardwareAddress>
                <NetworkInterface>0xd8d5b90000001234</NetworkInterface>
                <Protocol>Zigbee</Protocol>
                <NetworkAddress>0x0000</NetworkAddress>
                <Manufacturer>Generic</Manufacturer>
                <ModelId>electric_meter</ModelId>
                <LastContact>0x5c5aff97</LastContact>
                <ConnectionStatus>Connected</ConnectionStatus>
              </DeviceDetails>
              <Components>
                <Component>
                  <HardwareId></HardwareId>
                  <FixedId>0</FixedId>
                  <Name>Main</Name>
                  <Variables>
                    <Variable>
                      <Name>zigbee:InstantaneousDemand</Name>
                      <Value>2.790000</Value>
                      <Units>kW</Units>
                      <Description>Instantaneous Demand</Description>
                    </Variable>
                    <Variable>
                      <Name>zigbee:Multiplier</Name>
                      <Value>1</Value>
                      <Units></Units>
                      <Description>Multiplier applied to demand and summation values</Description>
                    </Variable>
                    <Variable>
                      <Name>zigbee:Divisor</Name>
                      <Value>1000</Value>
                      <Units></Units>
                      <Description>Divisor applied to demand and summation values</Description>
                    </Variable>
                    <Variable>
                      <Name>zigbee:CurrentSummationDelivered</Name>
                      <Value>91937.250000</Value>
                      <Units>kWh</Units>
                      <Description>Summation Delivered to Home</Description>
                    </Variable>
                    <Variable>
                      <Name>zigbee:CurrentSummationReceived</Name>
                      <Value>0.000000</Value>
                      <Units>kWh</Units>
                      <Description>Summation Received from Home</Description>
                    </Variable>
                    <Variable>
                      <Name>zigbee:Price</Name>
                      <Value>0.088400</Value>
                      <Units></Units>
                      <Description>Price of electricity</Description>
                    </Variable>
                    <Variable>
                      <Name>zigbee:PriceStartTime</Name>
                      <Value>Wed Feb  6 15:37:59 2019</Value>
                      <Units></Units>
                      <Description>The time at which the price signal becomes valid</Description>
                    </Variable>
                  </Variables>
                </Component>
              </Components>
            </Device>
            """;

    @Test
    void meterAddressesOfTheManualsDeviceList() {
        assertEquals(List.of("0x000781000081fd0b"), Eagle200Decoder.meterAddresses("""
                <DeviceList>
                <Device>
                <HardwareAddress>0x000781000081fd0b</HardwareAddress>
                <Manufacturer>generic</Manufacturer>
                <ModelId>electric_meter</ModelId>
                <Protocol>Zigbee</Protocol>
                <LastContact>0x5989f8f5</LastContact>
                <ConnectionStatus>Connected</ConnectionStatus>
                <NetworkAddress>0x0000</NetworkAddress>
                </Device>
                </DeviceList>
                """));
    }

    @Test
    void onlyElectricMetersAndDevicesWithoutModelAreMeters() {
        List<String> meters = Eagle200Decoder.meterAddresses("""
                <DeviceList>
                  <Device><HardwareAddress>0x00244600000ebaba</HardwareAddress><Manufacturer>SafePlug</Manufacturer>
                    <ModelId>1202</ModelId><Protocol>Zigbee</Protocol><ConnectionStatus>Connected</ConnectionStatus></Device>
                  <Device><HardwareAddress>0x0007810000123456</HardwareAddress><Manufacturer>Generic</Manufacturer>
                    <ModelId>electric_meter</ModelId><Protocol>Zigbee</Protocol><LastContact>0x5c5aff97</LastContact></Device>
                  <Device><HardwareAddress>0x00244600000abcde</HardwareAddress><Manufacturer>emerson</Manufacturer>
                    <ModelId>ee542</ModelId><Protocol>Zigbee</Protocol></Device>
                  <Device><HardwareAddress>0x0013500100abcdef</HardwareAddress><Protocol>Zigbee</Protocol></Device>
                </DeviceList>
                """);
        assertEquals(List.of("0x0007810000123456", "0x0013500100abcdef"), meters);
    }

    @Test
    void anEmptyDeviceListHasNoMeters() {
        assertEquals(List.of(), Eagle200Decoder.meterAddresses("<DeviceList>\n</DeviceList>\n"));
    }

    @Test
    void aDeviceListThatIsNotOneIsRefused() {
        EagleErrorReply refused = assertThrows(EagleErrorReply.class, () -> Eagle200Decoder.meterAddresses("Unauthorized"));
        assertTrue(refused.credentials());
        EagleErrorReply unknown = assertThrows(EagleErrorReply.class,
                () -> Eagle200Decoder.meterAddresses("<Error><Text>Unknown command</Text></Error>"));
        assertFalse(unknown.credentials());
        for (String body : new String[] {null, "", "hello", "{\"DeviceList\": []}",
                "<WiFiStatus><Enabled>Y</Enabled><Type>router</Type></WiFiStatus>"}) {
            EagleResponseException e = assertThrows(EagleResponseException.class, () -> Eagle200Decoder.meterAddresses(body),
                    String.valueOf(body));
            assertFalse(e instanceof EagleErrorReply, String.valueOf(body));
        }
    }

    @Test
    void decodesADeviceQueryWithUnitsInTheirOwnElement() {
        MeterValues v = Eagle200Decoder.decodeDeviceQuery(UNITS_APART);
        assertEquals("2.79", v.demandKw().toPlainString(), "already scaled: not divided by the Divisor again");
        assertEquals("91937.25", v.summationDeliveredKwh().toPlainString());
        assertDecimal("0", v.summationReceivedKwh());
        assertEquals(Instant.parse("2019-02-06T15:39:03Z"), v.meterTime());
        assertEquals("0x0007810000123456", v.meterMac());
        assertEquals("0xd8d5b90000001234", v.deviceMac());
    }

    @Test
    void decodesADeviceQueryWithTheUnitInTheValue() {
        MeterValues v = Eagle200Decoder.decodeDeviceQuery("""
                <Device>
                <DeviceDetails>
                <HardwareAddress>0x000781000081fd0b</HardwareAddress>
                <Protocol>Zigbee</Protocol>
                <LastContact>0x5989f8f5</LastContact>
                <ConnectionStatus>Connected</ConnectionStatus>
                </DeviceDetails>
                <Components>
                <Component>
                <Name>Main</Name>
                <Variables>
                <Variable>
                <Name>zigbee:InstantaneousDemand</Name>
                <Value>21.499 kW</Value>
                </Variable>
                <Variable>
                <Name>zigbee:CurrentSummationDelivered</Name>
                <Value>12345.678 kWh</Value>
                </Variable>
                <Variable>
                <Name>zigbee:CurrentSummationReceived</Name>
                <Value>0.000 kWh</Value>
                </Variable>
                </Variables>
                </Component>
                </Components>
                </Device>
                """);
        assertDecimal("21.499", v.demandKw());
        assertDecimal("12345.678", v.summationDeliveredKwh());
        assertDecimal("0", v.summationReceivedKwh());
        assertEquals(Instant.parse("2017-08-08T17:46:29Z"), v.meterTime());
        assertEquals("0x000781000081fd0b", v.meterMac());
        assertNull(v.deviceMac(), "no NetworkInterface in this answer");
    }

    @Test
    void wattsAndWattHoursAreDividedByAThousand() {
        MeterValues v = Eagle200Decoder.decodeDeviceQuery(query(
                variable("zigbee:InstantaneousDemand", "1500 W", null)
                        + variable("zigbee:CurrentSummationDelivered", "2500000", "Wh")
                        + variable("zigbee:CurrentSummationReceived", "12.5 Wh", "Wh")));
        assertDecimal("1.5", v.demandKw());
        assertEquals("2500", v.summationDeliveredKwh().toPlainString());
        assertDecimal("0.0125", v.summationReceivedKwh());
    }

    @Test
    void negativeDemandIsKept() {
        MeterValues v = Eagle200Decoder.decodeDeviceQuery(query(variable("zigbee:InstantaneousDemand", "-0.512000", "kW")));
        assertDecimal("-0.512", v.demandKw());
        assertNull(v.summationDeliveredKwh());
    }

    @Test
    void aValueWithoutAnyUnitIsReadInKilo() {
        MeterValues v = Eagle200Decoder.decodeDeviceQuery(query(variable("zigbee:InstantaneousDemand", "1.965000", "")));
        assertDecimal("1.965", v.demandKw());
    }

    @Test
    void wrongUnitsAndBadNumbersAreRefused() {
        for (String variables : new String[] {
                variable("zigbee:InstantaneousDemand", "5 kWh", null),
                variable("zigbee:InstantaneousDemand", "5", "kWh"),
                variable("zigbee:CurrentSummationDelivered", "3 C", null),
                variable("zigbee:CurrentSummationDelivered", "3", "kW"),
                variable("zigbee:InstantaneousDemand", "1 kW", "W"),
                variable("zigbee:InstantaneousDemand", "abc kW", null),
                variable("zigbee:InstantaneousDemand", "1e3", "kW"),
                variable("zigbee:InstantaneousDemand", "0x10", "kW"),
                variable("zigbee:InstantaneousDemand", "1.2.3", "kW")}) {
            EagleResponseException e = assertThrows(EagleResponseException.class,
                    () -> Eagle200Decoder.decodeDeviceQuery(query(variables)), variables);
            assertFalse(e instanceof EagleErrorReply, variables);
        }
    }

    @Test
    void lastContactMustBeHex() {
        String good = variable("zigbee:InstantaneousDemand", "1 kW", null);
        assertThrows(EagleResponseException.class, () -> Eagle200Decoder.decodeDeviceQuery(
                UNITS_APART.replace("0x5c5aff97", "0xZZ")));
        assertThrows(EagleResponseException.class, () -> Eagle200Decoder.decodeDeviceQuery(
                UNITS_APART.replace("0x5c5aff97", "1549467543")));
        assertEquals(Instant.ofEpochSecond(0x65f0a1b2L), Eagle200Decoder.decodeDeviceQuery(query(good)).meterTime());
    }

    @Test
    void aMeterWithoutValuesHasNoReading() {
        String empty = query(variable("zigbee:InstantaneousDemand", "", "kW")
                + variable("zigbee:CurrentSummationDelivered", "", "kWh")
                + variable("zigbee:CurrentSummationReceived", "", "kWh"));
        EagleResponseException e = assertThrows(EagleResponseException.class, () -> Eagle200Decoder.decodeDeviceQuery(empty));
        assertFalse(e instanceof EagleErrorReply);
    }

    @Test
    void garbageHtmlAndEmptyBodiesAreNotReadings() {
        for (String body : new String[] {null, "", " \n", "hello", "{\"Device\": {}}",
                "<html><body><h1>404 Not Found</h1></body></html>", "<Device><DeviceDetails>", "<DeviceList></DeviceList>"}) {
            EagleResponseException e = assertThrows(EagleResponseException.class,
                    () -> Eagle200Decoder.decodeDeviceQuery(body), String.valueOf(body));
            assertFalse(e instanceof EagleErrorReply, String.valueOf(body));
        }
    }

    @Test
    void refusedCredentialsAreAnErrorReplyAboutCredentials() {
        for (String body : new String[] {"Unauthorized", "<html><head><title>401 - Unauthorized</title></head>"
                + "<body><h1>401 - Unauthorized</h1></body></html>", "<Error><Text>Invalid install code</Text></Error>"}) {
            EagleErrorReply e = assertThrows(EagleErrorReply.class, () -> Eagle200Decoder.decodeDeviceQuery(body), body);
            assertTrue(e.credentials(), body);
        }
    }

    @Test
    void externalEntitiesAndDtdsAreRefused() {
        String xxe = "<?xml version=\"1.0\"?>\n<!DOCTYPE Device [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n"
                + query(variable("zigbee:InstantaneousDemand", "&xxe;", "kW"));
        EagleResponseException e = assertThrows(EagleResponseException.class, () -> Eagle200Decoder.decodeDeviceQuery(xxe));
        assertFalse(e.getMessage().contains("root"), e.getMessage());
        assertThrows(EagleResponseException.class, () -> Eagle200Decoder.meterAddresses(
                "<!DOCTYPE DeviceList [<!ENTITY x SYSTEM \"http://127.0.0.1:1/\">]><DeviceList><Device>"
                        + "<HardwareAddress>&x;</HardwareAddress></Device></DeviceList>"));
    }

    @Test
    void commandsFollowTheLocalApiManual() {
        assertEquals("<Command><Name>device_list</Name></Command>", EagleCommands.eagle200DeviceList());
        assertEquals("<Command><Name>device_query</Name><DeviceDetails><HardwareAddress>0x000781000081fd0b</HardwareAddress>"
                        + "</DeviceDetails><Components><All>Y</All></Components></Command>",
                EagleCommands.eagle200DeviceQuery("0x000781000081fd0b"));
        assertTrue(EagleCommands.eagle200DeviceQuery("0x00<&>").contains("<HardwareAddress>0x00&lt;&amp;&gt;</HardwareAddress>"));
        assertThrows(IllegalArgumentException.class, () -> EagleCommands.eagle200DeviceQuery(" "));
    }

    @Test
    void theRenderedDeviceListNamesTheMeter() {
        assertEquals(List.of("0x0013500100abcdef"),
                Eagle200Decoder.meterAddresses(EagleResponses.eagle200DeviceList("0x0013500100abcdef")));
    }

    @Test
    void renderedAnswersDecodeBackExactly() {
        for (long seed = 1; seed <= 40; seed++) {
            Random r = new Random(seed);
            for (int i = 0; i < 25; i++) {
                boolean unitsInValue = r.nextBoolean();
                MeterValues v = randomValues(r);
                String body = EagleResponses.eagle200DeviceQuery(v, unitsInValue);
                assertSameValues(v, Eagle200Decoder.decodeDeviceQuery(body), "seed " + seed + " #" + i + ":\n" + body);
            }
        }
    }

    private static MeterValues randomValues(Random r) {
        BigDecimal demand = r.nextInt(8) == 0 ? null : BigDecimal.valueOf(r.nextInt(), 3);
        BigDecimal delivered = r.nextInt(8) == 0 ? null : BigDecimal.valueOf(r.nextLong() >>> 16, 3);
        BigDecimal received = r.nextInt(8) == 0 ? null : BigDecimal.valueOf(r.nextInt(4) == 0 ? 0 : r.nextLong() >>> 24, 3);
        if (demand == null && delivered == null && received == null) {
            delivered = BigDecimal.valueOf(1, 3);
        }
        Instant time = r.nextInt(10) == 0 ? null : Instant.ofEpochSecond(946_684_800L + Math.floorMod(r.nextLong(), 3_348_282_495L));
        String deviceMac = r.nextInt(10) == 0 ? null : String.format("0x%016x", r.nextLong());
        String meterMac = r.nextInt(10) == 0 ? null : String.format("0x%016x", r.nextLong());
        return new MeterValues(time, demand, delivered, received, deviceMac, meterMac);
    }

    private static String query(String variables) {
        return "<Device>\n<DeviceDetails>\n<HardwareAddress>0x0007810000123456</HardwareAddress>\n"
                + "<NetworkInterface>0xd8d5b90000001234</NetworkInterface>\n<LastContact>0x65f0a1b2</LastContact>\n"
                + "</DeviceDetails>\n<Components>\n<Component>\n<Name>Main</Name>\n<Variables>\n" + variables
                + "</Variables>\n</Component>\n</Components>\n</Device>\n";
    }

    private static String variable(String name, String value, String units) {
        return "<Variable>\n<Name>" + name + "</Name>\n<Value>" + value + "</Value>\n"
                + (units == null ? "" : "<Units>" + units + "</Units>\n") + "</Variable>\n";
    }
}
