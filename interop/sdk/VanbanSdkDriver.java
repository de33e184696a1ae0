// vanban's own conformance driver for VNPT's SDKVXP 2.0.x (our code, written for vanban;
// the SDK jar itself is never committed). It drives a local `vanban serve` through every
// operation a document system uses and exits non-zero on the first broken expectation.
//
// Usage: java -cp <sdk jars>:. VanbanSdkDriver <endpoint> <workdir>
//   workdir holds systems.properties (written by prepare.py) and the packages to send.
import com.vpcp.services.AgencyServiceImp;
import com.vpcp.services.KnobstickServiceImp;
import com.vpcp.services.VnptProperties;
import com.vpcp.services.model.Agency;
import com.vpcp.services.model.CountReceiveEdoc;
import com.vpcp.services.model.GetAgenciesResult;
import com.vpcp.services.model.GetChangeStatusResult;
import com.vpcp.services.model.GetEdocResult;
import com.vpcp.services.model.GetReceivedEdocResult;
import com.vpcp.services.model.GetSendEdocResult;
import com.vpcp.services.model.Knobstick;
import com.vpcp.services.model.SendEdocResult;
import com.vpcp.services.model.StatusResult;

import java.io.FileInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Properties;
import java.util.TimeZone;

public class VanbanSdkDriver {
    private static int checks = 0;

    private static void expect(boolean ok, String what) {
        checks++;
        if (!ok) {
            System.out.println("FAIL " + what);
            System.exit(1);
        }
        System.out.println("ok   " + what);
    }

    private static String sha256(byte[] data) throws Exception {
        StringBuilder out = new StringBuilder();
        for (byte b : MessageDigest.getInstance("SHA-256").digest(data)) {
            out.append(String.format("%02x", b));
        }
        return out.toString();
    }

    private static VnptProperties props(String endpoint, String systemId, String secret, Path store) {
        // endpoint, systemId, secret, storePathDir, maxConnection, retry (the SDK wants retry > 2)
        return new VnptProperties(endpoint, systemId, secret, store.toString(), 10, 3);
    }

    private static byte[] edocBytes(GetEdocResult got) throws Exception {
        if (got.getFilePath() != null && !got.getFilePath().isEmpty() && Files.exists(Paths.get(got.getFilePath()))) {
            return Files.readAllBytes(Paths.get(got.getFilePath()));
        }
        String data = got.getData() == null ? "" : got.getData();
        if (data.startsWith("<")) {  // the SDK hands back the decoded package as text
            return data.getBytes("UTF-8");
        }
        return Base64.getDecoder().decode(data);
    }

    public static void main(String[] args) throws Exception {
        String endpoint = args[0];
        Path work = Paths.get(args[1]);
        Properties conf = new Properties();
        try (FileInputStream in = new FileInputStream(work.resolve("systems.properties").toFile())) {
            conf.load(in);
        }
        String run = conf.getProperty("run");
        String a = conf.getProperty("a.code"), b = conf.getProperty("b.code");
        Path store = Files.createDirectories(work.resolve("store-" + run));
        System.out.println("JVM time zone: " + TimeZone.getDefault().getID() + ", endpoint " + endpoint);

        // One service object per system, kept for the whole run, as Bkav's integrator does:
        // the SDK stamps XroadVnpt-timestamp once and reuses it for every call.
        VnptProperties pa = props(endpoint, conf.getProperty("a.system"), conf.getProperty("a.secret"), store);
        VnptProperties pb = props(endpoint, conf.getProperty("b.system"), conf.getProperty("b.secret"), store);
        KnobstickServiceImp ka = new KnobstickServiceImp(pa), kb = new KnobstickServiceImp(pb);
        AgencyServiceImp agencies = new AgencyServiceImp(pa);

        GetAgenciesResult listed = agencies.getAgenciesList("{}");
        expect("0".equals(listed.getErrorCode()), "getAgenciesList ErrorCode 0 (" + listed.getErrorDesc() + ")");
        boolean hasA = false, hasB = false;
        for (Agency agency : listed.getAgencies()) {
            hasA |= a.equals(agency.getCode());
            hasB |= b.equals(agency.getCode());
        }
        expect(hasA && hasB, "getAgenciesList lists both agencies (" + listed.getAgencies().size() + " rows)");

        Path document = work.resolve("document-" + run + ".edxml");
        byte[] sentBytes = Files.readAllBytes(document);
        SendEdocResult sent = ka.sendEdoc("{\"from\":\"" + a + "\",\"servicetype\":\"eDoc\",\"messagetype\":\"edoc\"}",
                document.toString());
        expect("0".equals(sent.getErrorCode()), "sendEdoc ErrorCode 0 (" + sent.getErrorDesc() + ")");
        String docId = sent.getDocID();
        expect(docId != null && !docId.isEmpty(), "sendEdoc DocID " + docId);

        // Before the recipient takes it: the row exists, not yet received (receivedTime "" not null).
        GetSendEdocResult early = ka.getSentEdocList("{\"servicetype\":\"eDoc\",\"messagetype\":\"edoc\"}");
        expect(early != null && "0".equals(early.getErrorCode()) && early.getStatusResult() != null,
                "getSentEdocList before delivery answers (" + (early == null ? "null" : early.getErrorDesc()) + ")");
        boolean waiting = false;
        for (StatusResult r : early.getStatusResult()) {
            waiting |= docId.equals(r.getSenderDocId()) && "initial".equals(r.getReceiveStatus());
        }
        expect(waiting, "getSentEdocList shows " + docId + " not yet received");

        CountReceiveEdoc count = kb.countReceiveEdoc("{\"servicetype\":\"eDoc\"}");
        expect("0".equals(count.getErrorCode()) && count.getCount() >= 1, "countReceiveEdoc " + count.getCount());
        GetReceivedEdocResult received = kb.getReceivedEdocList("{\"servicetype\":\"eDoc\",\"messagetype\":\"edoc\"}");
        expect("0".equals(received.getErrorCode()), "getReceivedEdocList ErrorCode 0");
        Knobstick found = null;
        for (Knobstick k : received.getKnobsticks()) {
            if (docId.equals(k.getId())) {
                found = k;
            }
        }
        expect(found != null, "getReceivedEdocList lists " + docId);
        expect(a.equals(found.getFrom()) && b.equals(found.getTo()), "knobstick from/to " + found.getFrom() + " -> "
                + found.getTo());

        GetEdocResult got = kb.getEdoc("{\"docId\":\"" + docId + "\"}");
        expect("0".equals(got.getErrorCode()), "getEdoc ErrorCode 0 (" + got.getErrorDesc() + ")");
        expect(sha256(edocBytes(got)).equals(sha256(sentBytes)), "getEdoc gives the very bytes sent");

        GetChangeStatusResult processing = kb.updateStatus("{\"docId\":\"" + docId + "\",\"status\":\"processing\"}");
        expect("0".equals(processing.getErrorCode()), "updateStatus processing");
        GetChangeStatusResult done = kb.updateStatus("{\"docId\":\"" + docId + "\",\"status\":\"done\"}");
        expect("0".equals(done.getErrorCode()), "updateStatus done");
        GetChangeStatusResult again = kb.updateStatus("{\"docId\":\"" + docId + "\",\"status\":\"done\"}");
        expect("0".equals(again.getErrorCode()), "updateStatus done replayed (idempotent)");

        GetSendEdocResult sentList = ka.getSentEdocList("{\"servicetype\":\"eDoc\",\"messagetype\":\"edoc\"}");
        expect("0".equals(sentList.getErrorCode()), "getSentEdocList ErrorCode 0 (" + sentList.getErrorDesc() + ")");
        StatusResult row = null;
        for (StatusResult r : sentList.getStatusResult()) {
            if (docId.equals(r.getSenderDocId())) {
                row = r;
            }
        }
        expect(row != null, "getSentEdocList has " + docId);
        expect("done".equals(row.getReceiveStatus()) && b.equals(row.getToCode())
                && row.getReceivedTime() != null && !row.getReceivedTime().isEmpty(),
                "getSentEdocList row: " + row.getToCode() + " " + row.getReceiveStatus() + " " + row.getReceivedTime());

        Path statusFile = work.resolve("status-" + run + ".edxml");
        SendEdocResult status = kb.sendEdoc("{\"from\":\"" + b + "\",\"servicetype\":\"eDoc\",\"messagetype\":\"status\"}",
                statusFile.toString());
        expect("0".equals(status.getErrorCode()), "sendEdoc status package (" + status.getErrorDesc() + ")");
        CountReceiveEdoc statuses = ka.countReceiveStatus("{\"servicetype\":\"eDoc\"}");
        expect(statuses.getCount() >= 1, "countReceiveStatus " + statuses.getCount());
        GetReceivedEdocResult statusList = ka.getReceivedEdocList("{\"servicetype\":\"eDoc\",\"messagetype\":\"status\"}");
        boolean statusListed = false;
        for (Knobstick k : statusList.getKnobsticks()) {
            statusListed |= status.getDocID().equals(k.getId());
        }
        expect(statusListed, "getReceivedEdocList status lists " + status.getDocID());
        GetEdocResult gotStatus = ka.getEdoc("{\"docId\":\"" + status.getDocID() + "\"}");
        expect(sha256(edocBytes(gotStatus)).equals(sha256(Files.readAllBytes(statusFile))), "status package bytes");
        expect("0".equals(ka.updateStatus("{\"docId\":\"" + status.getDocID() + "\",\"status\":\"done\"}").getErrorCode()),
                "updateStatus done on the status package");

        // A refusal must reach the caller as an answer, not as an exception inside the SDK.
        Path garbage = work.resolve("garbage.edxml");
        Files.write(garbage, "<khong-phai-edxml".getBytes("UTF-8"));
        SendEdocResult refused = ka.sendEdoc("{\"from\":\"" + a + "\",\"servicetype\":\"eDoc\",\"messagetype\":\"edoc\"}",
                garbage.toString());
        expect(refused != null && !"0".equals(refused.getErrorCode()) && refused.getDocID() != null,
                "refused sendEdoc reported: " + (refused == null ? "null" : refused.getErrorCode() + " DocID='"
                        + refused.getDocID() + "'"));

        System.out.println("PASS " + checks + " checks, JVM zone " + TimeZone.getDefault().getID());
    }
}
